// What watches the app when nobody looks (docs/troubleshooting.md, "Alerts and the workbook"): three log alert rules on
// what the app emits to Application Insights, an action group that mails the admins, and a workbook with each
// migration's phase, its counts over time and its failures. The queries read the app's log lines
// (shared/migrationLog.ts: `peig-migration {json}` in `traces`) and the Functions host's `requests`.
param applicationInsightsName string
param location string
param tags object

@description('Addresses the alerts mail (the admins).')
param alertEmails array

@description('Failed function executions of one function within 15 minutes that count as "fails repeatedly".')
param failureThreshold int = 5

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Every migration query starts from the same parse of the app's line; one file holds it.
var migrationLines = loadTextContent('queries/migrationLines.kql')

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-peig-migration-${uniqueString(resourceGroup().id)}'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'PeigMigr'
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmails: {
        name: 'admin-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

// Shared by the three rules: evaluated against Application Insights, mailed through the action group, resolved
// by themselves once the condition no longer holds.
var ruleScope = [ applicationInsights.id ]
var actions = { actionGroups: [ actionGroup.id ] }

// The app logs `attention.needed` once per incident (activities/bookkeeping.ts recordAttention); one alert per
// migration (split by migrationId).
resource needsAttention 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-migration-needs-attention-${uniqueString(resourceGroup().id)}'
  location: location
  tags: tags
  properties: {
    displayName: 'A Peig migration needs attention'
    description: 'A step kept failing after its quick re-tries. The status page names the step, the service and the likely fix; fix it, then Resume now.'
    severity: 1
    enabled: true
    scopes: ruleScope
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: '${migrationLines}${loadTextContent('queries/needsAttention.kql')}'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [ { name: 'migrationId', operator: 'Include', values: [ '*' ] } ]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: actions
  }
}

// A gate's tasks are logged when they open (`tasks.opened`, with expiresAt), at every reminder (`tasks.reminded`,
// every GATE_REMINDER_INTERVAL, a day by default, with expiresAt) and when the gate closes (`tasks.closed`). A gate
// whose last line is not its close, an hour past its expiry, means the orchestration did not wake to close it.
// Two days of lines cover the last reminder before any expiry while reminders come at most a day apart.
resource taskPastExpiry 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-task-past-expiry-${uniqueString(resourceGroup().id)}'
  location: location
  tags: tags
  properties: {
    displayName: 'A Peig migration task waits past its expiry'
    description: 'A task gate is still open an hour after its links expired: the migration did not wake to close it. Open its status page; resume it or look at its instance (docs/troubleshooting.md).'
    severity: 2
    enabled: true
    scopes: ruleScope
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    overrideQueryTimeRange: 'P2D'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: '${migrationLines}${loadTextContent('queries/taskPastExpiry.kql')}'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [ { name: 'migrationId', operator: 'Include', values: [ '*' ] } ]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: actions
  }
}

// Every function execution (HTTP, orchestrator, activity) is a `requests` row; a function failing again and again
// within 15 minutes is an outage or a bug, not a blip the retry layer absorbs.
resource failingFunctions 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-function-app-failing-${uniqueString(resourceGroup().id)}'
  location: location
  tags: tags
  properties: {
    displayName: 'The Peig migration function app fails repeatedly'
    description: 'One function failed ${failureThreshold} times or more within 15 minutes. Read its exceptions in Application Insights (docs/troubleshooting.md).'
    severity: 1
    enabled: true
    scopes: ruleScope
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: loadTextContent('queries/failingFunctions.kql')
          timeAggregation: 'Total'
          metricMeasureColumn: 'failures'
          operator: 'GreaterThanOrEqual'
          threshold: failureThreshold
          dimensions: [ { name: 'operation_Name', operator: 'Include', values: [ '*' ] } ]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: actions
  }
}

// The workbook: Notebook/1.0 items, each a KQL query against this Application Insights resource (30 days).
var workbookQueries = [
  { title: 'Each migration\'s phase', query: loadTextContent('queries/workbookPhases.kql'), visualization: 'table' }
  { title: 'Counts over time', query: loadTextContent('queries/workbookCounts.kql'), visualization: 'timechart' }
  { title: 'Failures', query: loadTextContent('queries/workbookFailures.kql'), visualization: 'barchart' }
]

var workbookContent = {
  version: 'Notebook/1.0'
  items: concat(
    [
      {
        type: 1
        name: 'about'
        content: {
          json: '## Peig migrations\nEach migration\'s phase, its counts over time and its failures, from the app\'s log lines (the last 30 days). docs/troubleshooting.md tells one migration\'s story.'
        }
      }
    ],
    map(workbookQueries, item => {
      type: 3
      name: item.title
      content: {
        version: 'KqlItem/1.0'
        title: item.title
        query: '${migrationLines}${item.query}'
        size: 0
        queryType: 0
        resourceType: 'microsoft.insights/components'
        timeContext: { durationMs: 2592000000 }
        visualization: item.visualization
      }
    })
  )
  fallbackResourceIds: [ applicationInsights.id ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'peig-migration-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Peig migrations'
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: string(workbookContent)
  }
}

output actionGroupName string = actionGroup.name
output workbookName string = workbook.name
