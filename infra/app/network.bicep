// Private networking (main.bicep `privateNetworking`): a VNet whose `app` subnet the Function App joins
// (Flex Consumption delegates it to Microsoft.App/environments), and private endpoints with private DNS
// zones for the storage account (blob, queue, table: host, task hub, the app's tables, the package) and the
// Key Vault. Modelled on Azure-Samples/functions-quickstart-typescript-azd (infra/app/vnet.bicep) and
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to#enable-virtual-network-integration.
param name string
param location string
param tags object
param storageAccountId string
param keyVaultId string

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [ '10.0.0.0/16' ] }
    subnets: [
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: '10.0.1.0/27'
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
      {
        // One address per instance: /26 leaves room for the 40 instances the plan may run.
        name: 'app'
        properties: {
          addressPrefix: '10.0.2.0/26'
          delegations: [ { name: 'flex', properties: { serviceName: 'Microsoft.App/environments' } } ]
        }
      }
    ]
  }
}

// Private DNS zone names per cloud (https://learn.microsoft.com/azure/private-link/private-endpoint-dns).
var endpoints = [
  { group: 'blob', target: storageAccountId, zone: 'privatelink.blob.${environment().suffixes.storage}' }
  { group: 'queue', target: storageAccountId, zone: 'privatelink.queue.${environment().suffixes.storage}' }
  { group: 'table', target: storageAccountId, zone: 'privatelink.table.${environment().suffixes.storage}' }
  {
    group: 'vault'
    target: keyVaultId
    zone: 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
  }
]

resource zones 'Microsoft.Network/privateDnsZones@2020-06-01' = [
  for endpoint in endpoints: {
    name: endpoint.zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = [
  for (endpoint, i) in endpoints: {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: { id: vnet.id }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for endpoint in endpoints: {
    name: 'pe-${last(split(endpoint.target, '/'))}-${endpoint.group}'
    location: location
    tags: tags
    properties: {
      subnet: { id: vnet.properties.subnets[0].id }
      privateLinkServiceConnections: [
        {
          name: endpoint.group
          properties: { privateLinkServiceId: endpoint.target, groupIds: [ endpoint.group ] }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [ { name: endpoint.group, properties: { privateDnsZoneId: zones[i].id } } ]
    }
  }
]

output appSubnetId string = vnet.properties.subnets[1].id
