// The Functions app on the Flex Consumption plan (FC1): .NET 10 isolated worker, deployed from a blob
// container with the app's managed identity, every connection by identity, App Service Authentication on.
param planName string
param appName string
param location string = resourceGroup().location
param tags object = {}

@description('The app\'s user-assigned identity.')
param identityId string
param identityClientId string

@description('Blob container URL the package is deployed from.')
param deploymentContainerUrl string

@description('Storage service endpoints: the host, the durable engine (Azure Storage backend) and the product\'s tables and queues.')
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

param applicationInsightsConnectionString string
param eventGridTopicEndpoint string
param keyVaultName string

@description('The Entra ID app registration (client id) that signs users in; its app roles are the product\'s roles (docs/DEPLOY.md).')
param authClientId string

@minValue(40)
@maxValue(1000)
@description('Most instances the plan scales out to.')
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
@description('Memory per instance, MB.')
param instanceMemoryMB int = 2048

// The durable engine's settings live in host.json (hub ServerlessHub, 4 partitions, 10 activities and 10
// orchestrations per instance, 2 s polling): sized for the district's load; docs/DEPLOY.md says why and what
// changes at 10x (more partitions on a new hub, or this managed backend).
@allowed(['AzureStorage', 'DurableTaskScheduler'])
@description('AzureStorage: orchestration state in the app\'s storage account (what the DevHost runs and the tests prove). DurableTaskScheduler: the managed backend; the app must then reference the AzureManaged extension (docs/DEPLOY.md).')
param durableBackend string = 'AzureStorage'

@description('The Durable Task Scheduler endpoint, when durableBackend is DurableTaskScheduler.')
param durableTaskSchedulerEndpoint string = ''

@description('The durable task hub (host.json hubName).')
param taskHubName string = 'ServerlessHub'

var storageSettings = {
  // Identity-based host storage: no key, no connection string.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
}

var productSettings = {
  // DefaultAzureCredential in the product's own clients (Event Grid) picks this identity.
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  // Local auth is off on Application Insights: telemetry is sent with the app's identity.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  EventGrid__TopicEndpoint: eventGridTopicEndpoint
  EventGrid__ClientId: identityClientId
  // Key Vault references, resolved by the platform with keyVaultReferenceIdentity: the key never sits in settings.
  Procurement__BidSealingKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=bid-sealing-key)'
  Procurement__PreviousBidSealingKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=bid-sealing-key-previous)'
  // The pages' anti-forgery tokens are signed with it; every instance must share it (FormProtection.cs).
  Forms__ProtectionKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=form-protection-key)'
}

// The managed backend: host.json's storage provider overridden by settings, connected by identity.
var schedulerSettings = durableBackend == 'DurableTaskScheduler' ? {
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
  AzureFunctionsJobHost__extensions__durableTask__hubName: taskHubName
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
} : {}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(storageSettings, productSettings, schedulerSettings)
  }

  // Publishing credentials (basic auth) off: deployment goes through Entra ID only.
  resource ftp 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }

  // App Service Authentication with Microsoft Entra ID. A token, when sent, is validated here and its claims
  // (app roles included) reach the app as X-MS-CLIENT-PRINCIPAL; a client cannot forge that header. Requests
  // without a token reach the app anonymously, because the programme has public pages (results under
  // objection, tenders, OCDS releases); the app's dispatcher refuses them on every other route (401), and the
  // app refuses to start in Azure with authentication off (docs/SECURITY.md).
  resource auth 'config' = {
    name: 'authsettingsV2'
    properties: {
      platform: {
        enabled: true
      }
      globalValidation: {
        requireAuthentication: false
        unauthenticatedClientAction: 'AllowAnonymous'
      }
      httpSettings: {
        requireHttps: true
      }
      identityProviders: {
        azureActiveDirectory: {
          enabled: true
          registration: {
            clientId: authClientId
            openIdIssuer: '${environment().authentication.loginEndpoint}${subscription().tenantId}/v2.0'
          }
          validation: {
            allowedAudiences: [
              'api://${authClientId}'
              authClientId
            ]
          }
        }
      }
      login: {
        tokenStore: {
          enabled: false
        }
      }
    }
  }
}

output name string = app.name
output uri string = 'https://${app.properties.defaultHostName}'
