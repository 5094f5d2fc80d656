// The Durable Task Scheduler: the managed durable backend, chosen with main.bicep's durableBackend parameter
// (docs/DEPLOY.md says when). The default backend keeps orchestration state in the app's storage account.
param name string
param location string = resourceGroup().location
param tags object = {}

@description('The task hub the app uses (host.json hubName).')
param taskHubName string

@description('Principal id of the app\'s managed identity: Durable Task Data Contributor on the scheduler.')
param appPrincipalId string

// Durable Task Data Contributor
var dataContributorRoleId = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    ipAllowlist: ['0.0.0.0/0']
    sku: {
      name: 'Consumption'
    }
  }

  resource hub 'taskHubs' = {
    name: taskHubName
  }
}

resource contributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scheduler.id, appPrincipalId, dataContributorRoleId)
  scope: scheduler
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataContributorRoleId)
  }
}

output endpoint string = scheduler.properties.endpoint
