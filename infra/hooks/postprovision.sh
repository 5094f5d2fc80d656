#!/bin/sh
# After `azd provision`: creates the pages' form-protection key and the bid-sealing key in Key Vault if it does not exist yet (32 random bytes,
# base64), and the "previous" key the app also reads (the same value until the first rotation). Never
# overwrites: sealed bids can only be opened with the key they were sealed with. Rotation: docs/DEPLOY.md.
set -eu
vault="${AZURE_KEY_VAULT_NAME:?azd sets AZURE_KEY_VAULT_NAME from the deployment outputs}"
if az keyvault secret show --vault-name "$vault" --name bid-sealing-key --query id -o tsv >/dev/null 2>&1; then
  echo "bid-sealing-key exists in $vault: left as it is."
else
  key="$(openssl rand -base64 32)"
  az keyvault secret set --vault-name "$vault" --name bid-sealing-key --value "$key" --content-type "AES-256 key, base64" -o none
  az keyvault secret set --vault-name "$vault" --name bid-sealing-key-previous --value "$key" --content-type "AES-256 key, base64" -o none
  echo "bid-sealing-key created in $vault."
fi
if az keyvault secret show --vault-name "$vault" --name form-protection-key --query id -o tsv >/dev/null 2>&1; then
  echo "form-protection-key exists in $vault: left as it is."
else
  # Signs the pages' anti-forgery tokens; replacing it only makes forms already open ask to be loaded again.
  az keyvault secret set --vault-name "$vault" --name form-protection-key --value "$(openssl rand -base64 32)" --content-type "HMAC-SHA256 key, base64" -o none
  echo "form-protection-key created in $vault."
fi
