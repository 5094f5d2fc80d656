# After `azd provision` on Windows: the same as postprovision.sh.
$ErrorActionPreference = 'Stop'
$vault = $env:AZURE_KEY_VAULT_NAME
if (-not $vault) { throw 'azd sets AZURE_KEY_VAULT_NAME from the deployment outputs' }
az keyvault secret show --vault-name $vault --name bid-sealing-key --query id -o tsv *> $null
if ($LASTEXITCODE -eq 0) {
  Write-Output "bid-sealing-key exists in ${vault}: left as it is."
} else {
  $bytes = [byte[]]::new(32)
  [System.Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
  $key = [Convert]::ToBase64String($bytes)
  az keyvault secret set --vault-name $vault --name bid-sealing-key --value $key --content-type 'AES-256 key, base64' -o none
  az keyvault secret set --vault-name $vault --name bid-sealing-key-previous --value $key --content-type 'AES-256 key, base64' -o none
  Write-Output "bid-sealing-key created in $vault."
}
az keyvault secret show --vault-name $vault --name form-protection-key --query id -o tsv *> $null
if ($LASTEXITCODE -eq 0) {
  Write-Output "form-protection-key exists in ${vault}: left as it is."
} else {
  $bytes = [byte[]]::new(32)
  [System.Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
  az keyvault secret set --vault-name $vault --name form-protection-key --value ([Convert]::ToBase64String($bytes)) --content-type 'HMAC-SHA256 key, base64' -o none
  Write-Output "form-protection-key created in $vault."
}
