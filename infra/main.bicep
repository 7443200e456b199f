// Peig Microsoft 365 migration orchestrator: everything `azd up` provisions (docs/deploy.md).
// Modelled on Azure-Samples/durable-functions-quickstart-typescript-azd, with the default Azure Storage
// backend for Durable Functions instead of the Durable Task Scheduler.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Region for all resources; must offer the Flex Consumption plan (`az functionapp list-flexconsumption-locations`, in whichever cloud you deploy to).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Mailbox that sends invitations, reminders and task e-mails (MAIL_SENDER). Restrict Mail.Send to it: docs/permissions.md.')
param mailSender string

@description('More sender mailboxes, comma-separated (MAIL_SENDERS), for tenants whose mail does not fit one mailbox\'s 10,000 recipients per rolling 24 hours.')
param mailSenders string = ''

@description('Client id of the Entra app registration App Service Authentication signs admins and approvers in with; its app roles authorise the admins (docs/deploy.md, step 2).')
param authClientId string

@description('"operator" (default: Peig steps become tasks for the Peig admin) or "api" (a Peig admin API is configured).')
@allowed([ 'api', 'operator' ])
param peigMode string = 'operator'

@description('Peig admin API base URL (api mode only).')
param peigApiBaseUrl string = ''

@secure()
@description('Peig admin API key (api mode only); stored in Key Vault, never in an app setting.')
param peigApiKey string = ''

@description('Microsoft Graph cloud (GRAPH_CLOUD); the same list as shared/graph/cloud.ts. Empty: the cloud this deployment runs in (usgovdod must be chosen).')
@allowed([ '', 'global', 'usgov', 'usgovdod', 'china' ])
param graphCloud string = ''

@description('Overrides the cloud\'s Graph endpoint; leave empty.')
param graphBaseUrl string = ''

@description('Public base URL for e-mailed links; empty = https://<function app default host name>.')
param publicBaseUrl string = ''

@description('How long an e-mailed task link stays valid (ISO 8601 duration).')
param taskLinkTtl string = 'P7D'

param migrationAppName string = 'PeigMigrationManager'

@minValue(0)
@maxValue(365)
param certificateMarginDays int = 30

@description('Prefix of the app\'s own tables (letters and digits).')
param migrationTablePrefix string = 'Peig'

@description('Durable Functions task hub (host.json reads %TASKHUB_NAME%).')
param taskHubName string = 'PeigMigration'

@minValue(0)
@maxValue(10)
@description('Always-ready instances for the `durable` group: 1 keeps timers and approvals off cold starts (billed while idle, docs/deploy.md); 0 scales to zero.')
param durableAlwaysReady int = 1

@description('Longest idle wait between task hub queue polls; Microsoft advises 10 s or less on Flex Consumption (each poll is a storage transaction, docs/deploy.md).')
param queuePollingInterval string = '00:00:10'

@description('VNet integration, and storage and Key Vault reachable only through private endpoints.')
param privateNetworking bool = false

@minLength(3)
@description('Admin addresses, comma-separated, that the alerts mail (a migration needs attention, a task waits past its expiry, the app fails repeatedly).')
param alertEmails string

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}peig-migration-${resourceToken}'
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'
var peigApiKeySecretName = 'peig-api-key'
// The Graph cloud of the Azure cloud the deployment runs in, unless one is chosen.
var graphCloudOfEnvironment = {
  AzureCloud: 'global'
  AzureUSGovernment: 'usgov'
  AzureChinaCloud: 'china'
}
var effectiveGraphCloud = empty(graphCloud) ? graphCloudOfEnvironment[environment().name] : graphCloud

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// The one identity the app uses for Storage, Key Vault, Application Insights and Microsoft Graph.
// The app roles of the sign-in app registration (authClientId): App Service Authentication passes a signed-in
// person's roles to the app in the "roles" claims of x-ms-client-principal, and functions/access.ts decides with
// them (its AppRoles holds the same values; test/infra/infra.test.ts compares them). azure.yaml's postprovision hook
// writes these roles onto the registration (az ad app update --app-roles); docs/deploy.md says how to assign them.
// The ids are fixed: a role's id must not change once people hold it.
@description('App roles of the sign-in app registration, in the application manifest format.')
var authAppRoles = [
  {
    id: '3b0c6f0e-6a3e-4f7c-9d4e-5a1f2c7b8e01'
    value: 'Migration.Admin'
    displayName: 'Migration admin'
    description: 'Starts, extends, cancels and resumes migrations and asks the approvers again; reads everything.'
    allowedMemberTypes: [
      'User'
      'Application'
    ]
    isEnabled: true
  }
  {
    id: '3b0c6f0e-6a3e-4f7c-9d4e-5a1f2c7b8e02'
    value: 'Migration.Viewer'
    displayName: 'Migration viewer'
    description: 'Reads the migrations: the pages, the status and the reports.'
    allowedMemberTypes: [
      'User'
      'Application'
    ]
    isEnabled: true
  }
]

module identity './app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}peig-migration-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    privateNetworking: privateNetworking
  }
}

module network './app/network.bicep' = if (privateNetworking) {
  name: 'network'
  scope: rg
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: tags
    storageAccountId: storage.outputs.id
    keyVaultId: keyVault.outputs.id
  }
}

module monitoring './app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

// Alert rules, their action group and the workbook (infra/app/alerts.bicep).
module alerts './app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    location: location
    tags: tags
    alertEmails: map(split(alertEmails, ','), address => trim(address))
  }
}

module keyVault './app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    peigApiKeySecretName: peigApiKeySecretName
    peigApiKey: peigApiKey
    privateNetworking: privateNetworking
  }
}

// Every data-plane role the identity needs, in one place.
module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  dependsOn: [ rbac ]
  params: {
    name: functionAppName
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    peigApiKeySecretName: empty(peigApiKey) ? '' : peigApiKeySecretName
    authClientId: authClientId
    mailSender: mailSender
    mailSenders: mailSenders
    peigMode: peigMode
    peigApiBaseUrl: peigApiBaseUrl
    graphCloud: effectiveGraphCloud
    graphBaseUrl: graphBaseUrl
    publicBaseUrl: publicBaseUrl
    taskLinkTtl: taskLinkTtl
    migrationAppName: migrationAppName
    certificateMarginDays: certificateMarginDays
    migrationTablePrefix: migrationTablePrefix
    taskHubName: taskHubName
    durableAlwaysReady: durableAlwaysReady
    queuePollingInterval: queuePollingInterval
    virtualNetworkSubnetId: privateNetworking ? network!.outputs.appSubnetId : ''
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
// `npm run grant-permissions -- --principal-id <this>` (docs/permissions.md).
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
// The sign-in app registration's app roles, as JSON: azure.yaml's postprovision hook writes them onto it.
output AUTH_APP_ROLES string = string(authAppRoles)
