// The app's own identity: user-assigned, so its role assignments exist before the app first starts, and the
// same identity reads the deployment package, the tables and queues, the topic and the vault.
param name string
param location string = resourceGroup().location
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
