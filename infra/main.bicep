// The whole product in one deployment (`azd up`): a resource group holding the Functions app (Flex
// Consumption), its identity, storage, Event Grid topic, Key Vault and monitoring. Every connection is by
// managed identity; no key or connection string to storage exists anywhere (docs/DEPLOY.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds every resource token.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@description('Object id of the deploying user (azd fills it in): data access to storage and the right to set the bid-sealing key. Leave empty to skip.')
param principalId string = ''

@description('Client id of the Entra ID app registration users sign in to, with the product\'s app roles (docs/DEPLOY.md).')
param authClientId string

@minValue(40)
@maxValue(1000)
@description('Most instances the Functions app scales out to.')
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
@description('Memory per instance, MB.')
param instanceMemoryMB int = 2048

@allowed(['AzureStorage', 'DurableTaskScheduler'])
@description('Where orchestration state lives: the app\'s storage account (default) or the managed Durable Task Scheduler.')
param durableBackend string = 'AzureStorage'

@secure()
@description('Optional webhook subscribed to every domain event, with dead-lettering.')
param eventSubscriberEndpoint string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var taskHubName = 'ServerlessHub'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    principalId: principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module events 'modules/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    name: 'evgt-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    deadLetterStorageAccountName: storage.outputs.name
    deadLetterContainerName: storage.outputs.deadLetterContainerName
    subscriberEndpoint: eventSubscriberEndpoint
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
    principalId: principalId
  }
}

module scheduler 'modules/durabletask.bicep' = if (durableBackend == 'DurableTaskScheduler') {
  name: 'durabletask'
  scope: rg
  params: {
    name: 'dts-${resourceToken}'
    location: location
    tags: tags
    taskHubName: taskHubName
    appPrincipalId: identity.outputs.principalId
  }
}

module functions 'modules/functions.bicep' = {
  name: 'functions'
  scope: rg
  params: {
    planName: 'plan-${resourceToken}'
    appName: 'func-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    eventGridTopicEndpoint: events.outputs.endpoint
    keyVaultName: vault.outputs.name
    authClientId: authClientId
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    durableBackend: durableBackend
    durableTaskSchedulerEndpoint: durableBackend == 'DurableTaskScheduler' ? scheduler!.outputs.endpoint : ''
    taskHubName: taskHubName
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = subscription().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_FUNCTION_APP_NAME string = functions.outputs.name
output AZURE_FUNCTION_APP_URI string = functions.outputs.uri
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output AZURE_EVENTGRID_TOPIC_ENDPOINT string = events.outputs.endpoint
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_DURABLE_BACKEND string = durableBackend
