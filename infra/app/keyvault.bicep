// Key Vault with Azure RBAC (no access policies). It holds the Peig admin API key; the app reads it
// through a Key Vault reference in PEIG_API_KEY with its managed identity (Key Vault Secrets User).
param name string
param location string
param tags object
param peigApiKeySecretName string
@secure()
param peigApiKey string
@description('Reachable only through a private endpoint (infra/app/network.bicep); ARM still writes the secret.')
param privateNetworking bool

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: privateNetworking ? { defaultAction: 'Deny', bypass: 'AzureServices' } : { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

// Only in api mode: operator mode has no Peig key.
resource peigApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(peigApiKey)) {
  parent: vault
  name: peigApiKeySecretName
  properties: {
    value: peigApiKey
    contentType: 'Peig admin API key'
  }
}

output name string = vault.name
output id string = vault.id
