param name string
param location string = resourceGroup().location
param tags object = {}

@description('Principal id of the app\'s managed identity: the only publisher, with EventGrid Data Sender (keys are off).')
param appPrincipalId string

@description('Storage account and container where subscriptions put the events they could not deliver.')
param deadLetterStorageAccountName string
param deadLetterContainerName string

@secure()
@description('Optional: a webhook that receives every event (it must answer Event Grid\'s validation handshake; its URL may hold a key, so it is secure). Empty: no subscription is created; add subscribers later with the same dead-letter destination.')
param subscriberEndpoint string = ''

var roles = {
  eventGridDataSender: 'd5a91429-5739-47e2-a06b-3470a27159e7'
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
}

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    // Writes undeliverable events to the dead-letter container with its own identity, not a key.
    type: 'SystemAssigned'
  }
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    minimumTlsVersionAllowed: '1.2'
  }
}

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: deadLetterStorageAccountName

  resource blobs 'blobServices' existing = {
    name: 'default'

    resource deadLetter 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, appPrincipalId, roles.eventGridDataSender)
  scope: topic
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventGridDataSender)
  }
}

// Only the dead-letter container, not the account.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account::blobs::deadLetter.id, topic.id, roles.blobDataContributor)
  scope: account::blobs::deadLetter
  properties: {
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor)
  }
}

resource subscriber 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = if (!empty(subscriberEndpoint)) {
  parent: topic
  name: 'subscriber'
  properties: {
    eventDeliverySchema: 'CloudEventSchemaV1_0'
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: subscriberEndpoint
      }
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: account.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
  dependsOn: [deadLetterWriter]
}

output name string = topic.name
output endpoint string = topic.properties.endpoint
