@minLength(3)
@maxLength(24)
@description('Globally unique storage account name: 3-24 lowercase letters and digits.')
param name string

param location string = resourceGroup().location

param tags object = {}

@description('Principal id of the app\'s managed identity: blob (host leases, deployment package), queue and table data roles.')
param appPrincipalId string

@description('Object id of the deploying user, given the same data roles for running against Azure from a workstation. Leave empty to skip.')
param principalId string = ''

@description('Container the Flex Consumption app deploys from.')
param deploymentContainerName string = 'app-package'

@description('Container where Event Grid puts events no subscriber would take.')
param deadLetterContainerName string = 'eventgrid-deadletter'

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  // The Functions host takes leases on blobs and the durable engine keeps large messages there.
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // Identity only: every client, the Functions host included, authenticates with Entra ID.
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }

  resource blobs 'blobServices' = {
    name: 'default'

    resource deployment 'containers' = {
      name: deploymentContainerName
    }

    resource deadLetter 'containers' = {
      name: deadLetterContainerName
    }
  }
}

resource appRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [roles.blobDataOwner, roles.queueDataContributor, roles.tableDataContributor]: {
  name: guid(storage.id, appPrincipalId, role)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
  }
}]

resource userRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in (empty(principalId) ? [] : [roles.blobDataContributor, roles.queueDataContributor, roles.tableDataContributor]): {
  name: guid(storage.id, principalId, role)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'User'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
  }
}]

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
output deadLetterContainerName string = deadLetterContainerName
