// The Function App on the Flex Consumption plan (Linux, Node 22), its app settings and App Service
// Authentication. Every setting the code reads (SETTING_NAMES in shared/config.ts) is set below, from a
// parameter; test/infra/infra.test.ts fails when one is missing.
param name string
param location string
param tags object
@description('azd service name in azure.yaml.')
param serviceName string
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param keyVaultName string
@description('Key Vault secret holding the Peig admin API key; empty when none was given (operator mode).')
param peigApiKeySecretName string
param authClientId string
param mailSender string
@description('More sender mailboxes, comma-separated (MAIL_SENDERS): each sends at most 10,000 recipients per rolling 24 hours.')
param mailSenders string = ''
param peigMode string
param peigApiBaseUrl string
param graphCloud string
param graphBaseUrl string
param publicBaseUrl string
param taskLinkTtl string
param migrationAppName string
param certificateMarginDays int
param migrationTablePrefix string
param taskHubName string
@description('Always-ready instances for the `durable` scale group (orchestrations, activities): 0 lets the app scale to zero.')
param durableAlwaysReady int
@description('Longest wait between polls of the task hub queues when idle (host.json durableTask.storageProvider.maxQueuePollingInterval).')
param queuePollingInterval string
@description('Subnet the app joins for VNet integration (delegated to Microsoft.App/environments); empty = no VNet.')
param virtualNetworkSubnetId string = ''

// The storage services by URI, built from the cloud's own suffix: `AzureWebJobsStorage__accountName` only
// resolves in public Azure (https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity),
// and the Durable Azure Storage provider needs blob, queue and table.
var storageUri = {
  blob: 'https://${storageAccountName}.blob.${environment().suffixes.storage}'
  queue: 'https://${storageAccountName}.queue.${environment().suffixes.storage}'
  table: 'https://${storageAccountName}.table.${environment().suffixes.storage}'
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity, not a system-assigned one.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    // Outbound traffic through the VNet (and so to the private endpoints) when private networking is on.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageUri.blob}/${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        // A ceiling on scale-out and cost, not a rate limit: the app keeps Peig's rate and its Graph bound
        // however many instances run (docs/architecture.md#limits-for-the-whole-app).
        maximumInstanceCount: 40
        instanceMemoryMB: 2048
        // Durable Functions on Flex: one always-ready instance for the `durable` group, so a timer or an
        // approval does not wait for a cold start
        // (https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-azure-storage-provider#flex-consumption-plan).
        alwaysReady: durableAlwaysReady > 0 ? [ { name: 'durable', instanceCount: durableAlwaysReady } ] : []
      }
      // Flex Consumption takes the language here; it does not accept FUNCTIONS_WORKER_RUNTIME as an app setting.
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// A child resource, so the settings can use the app's own host name (PUBLIC_BASE_URL).
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    // Functions host and Durable task hub storage, identity-based
    // (https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-configure-managed-identity).
    AzureWebJobsStorage__blobServiceUri: storageUri.blob
    AzureWebJobsStorage__queueServiceUri: storageUri.queue
    AzureWebJobsStorage__tableServiceUri: storageUri.table
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    TASKHUB_NAME: taskHubName
    // host.json's value, overridable per deployment (an app setting AzureFunctionsJobHost__<path> overrides
    // that host.json path: https://learn.microsoft.com/azure/azure-functions/functions-host-json#override-hostjson-values).
    // Flex Consumption: 10 s or less, at the cost of more storage transactions
    // (https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-azure-storage-provider#flex-consumption-plan).
    AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval: queuePollingInterval
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

    // The app's own settings (shared/config.ts).
    MIGRATION_STORAGE_CONNECTION: ''
    MIGRATION_STORAGE_TABLE_ENDPOINT: storageUri.table
    MIGRATION_TABLE_PREFIX: migrationTablePrefix
    AZURE_CLIENT_ID: identityClientId
    GRAPH_CLOUD: graphCloud
    GRAPH_BASE_URL: graphBaseUrl
    MAIL_SENDER: mailSender
    MAIL_SENDERS: mailSenders
    PEIG_MODE: peigMode
    PEIG_API_BASE_URL: peigApiBaseUrl
    PEIG_API_KEY: empty(peigApiKeySecretName) ? '' : '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${peigApiKeySecretName})'
    PUBLIC_BASE_URL: empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicBaseUrl
    TASK_LINK_TTL: taskLinkTtl
    GATE_REMINDER_INTERVAL: 'P1D'
    ADMIN_DIGEST_INTERVAL: 'P1D'
    STEP_RETRY_DELAYS: 'PT1M,PT5M'
    ATTENTION_RETRY_DELAYS: 'PT15M,PT1H,PT3H,PT6H'
    ATTENTION_RETRY_FOR: 'P3D'
    HISTORY_RETENTION: 'P30D'
    REQUIRE_SIGNED_IN_APPROVER: 'true'
    MIGRATION_APP_NAME: migrationAppName
    CERTIFICATE_MARGIN_DAYS: string(certificateMarginDays)
    MAIL_RECIPIENTS_PER_MESSAGE: '500'
    SIGN_IN_LOG_LATENCY: 'PT1H'
  }
}

// App Service Authentication (Easy Auth) with Entra ID signs people in (/.auth/login/aad), validates the access
// tokens sent to the JSON API, strips any x-ms-client-principal* header a client sends and passes the caller's
// principal, app roles included. It lets anonymous requests through ("Allow unauthenticated requests": the app
// decides, https://learn.microsoft.com/azure/app-service/overview-authentication-authorization#authorization-behavior):
// functions/access.ts sends an anonymous page request to sign in and answers the JSON API 401 unless it brings a
// function key; an approver's task page sends them to sign in (REQUIRE_SIGNED_IN_APPROVER). Durable's management
// API keeps its system key.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  // One site config write at a time: written in parallel with the app settings, one of them can fail with
  // 409 Conflict or be lost (azd's own Bicep orders them the same way).
  dependsOn: [ appSettings ]
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        // No client secret: sign-in uses the OpenID Connect implicit flow for an ID token, so the app
        // registration needs "ID tokens" enabled and the /.auth/login/aad/callback redirect URI.
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            authClientId
            'api://${authClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: { enabled: false }
    }
    httpSettings: {
      requireHttps: true
      routes: { apiPrefix: '/.auth' }
      forwardProxy: { convention: 'NoProxy' }
    }
  }
}

// No basic-auth (publishing profile) deployments: azd and the portal deploy with Entra ID
// (https://learn.microsoft.com/azure/app-service/configure-basic-auth-disable).
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: { allow: false }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: { allow: false }
}

output name string = functionApp.name
output uri string = 'https://${functionApp.properties.defaultHostName}'
