/**
 * Every GraphQL operation the app sends. `npm run codegen` reads them (the GraphQL comment
 * marks each) and writes their result and variable types to src/gql/types.ts.
 */

export const SignUp = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      expiresAt
      user { email }
      workspace { id name plan }
    }
  }
`;

export const Login = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
      expiresAt
      user { email }
      workspace { id name plan }
    }
  }
`;

export const Campaigns = /* GraphQL */ `
  query Campaigns($page: Int, $perPage: Int, $filter: CampaignFilter) {
    campaigns(page: $page, perPage: $perPage, filter: $filter) {
      items {
        id
        name
        status
        pausedReason
        contactCount
        createdAt
        emailAccount { email }
        stats { sent opened replied openRate clickRate replyRate bounceRate }
      }
      pageInfo { page perPage total totalPages }
    }
  }
`;

export const CampaignPage = /* GraphQL */ `
  query CampaignPage($id: ID!, $from: String, $to: String, $page: Int, $state: EnrolmentState, $unknownPage: Int) {
    campaign(id: $id) {
      id
      name
      status
      pausedReason
      dailyLimit
      contactCount
      createdAt
      startedAt
      completedAt
      trackOpens
      trackClicks
      stopOnReply
      oooPauseDays
      emailAccount { id email }
      steps { step subject delayDays }
      schedule { timezone days startTime endTime fallbackTimezone skipDates }
      sendingStatus {
        state
        pausedReason
        nextWindowAt
        nextDueAt
        sentToday
        dailyLimit
        dueNow
        unknownOutcomes
        failed
        missingFields { field contacts }
        accounts { emailAccountId email status lastError sentToday dailyLimit replyTracking }
      }
      stats(from: $from, to: $to) {
        contacts
        sent
        opened
        clicked
        replied
        bounced
        unsubscribed
        autoReplied
        openedRaw
        clickedRaw
        openRate
        clickRate
        replyRate
        bounceRate
        steps { step sent opened clicked replied bounced openRate clickRate replyRate }
        timeline { date sent opened clicked replied bounced }
      }
      contacts(page: $page, perPage: 20, state: $state) {
        items {
          contact { id email firstName lastName company customFields }
          state
          currentStep
          enrolledAt
          lastSentAt
          nextSendAt
          heldUntil
          reason
        }
        pageInfo { page perPage total totalPages }
      }
    }
    unknownOutcomes(campaignId: $id, page: $unknownPage, perPage: 20) {
      items { id email step subject updatedAt }
      pageInfo { page perPage total totalPages }
    }
  }
`;

export const ResolveUnknownOutcomes = /* GraphQL */ `
  mutation ResolveUnknownOutcomes($campaignId: ID!, $messageIds: [ID!], $all: Boolean, $action: UnknownOutcomeAction!) {
    resolveUnknownOutcomes(campaignId: $campaignId, messageIds: $messageIds, all: $all, action: $action) { resolved }
  }
`;

export const CreateCampaign = /* GraphQL */ `
  mutation CreateCampaign($input: CampaignInput!) {
    createCampaign(input: $input) { id name warnings { step part variable suggestion message } }
  }
`;

export const StartCampaign = /* GraphQL */ `
  mutation StartCampaign($id: ID!) {
    startCampaign(id: $id) { id status }
  }
`;

export const PauseCampaign = /* GraphQL */ `
  mutation PauseCampaign($id: ID!) {
    pauseCampaign(id: $id) { id status }
  }
`;

export const DeleteCampaign = /* GraphQL */ `
  mutation DeleteCampaign($id: ID!) {
    deleteCampaign(id: $id) { id deleted }
  }
`;

export const EnrolGroup = /* GraphQL */ `
  mutation EnrolGroup($id: ID!, $groupId: ID) {
    addContactsToCampaign(id: $id, groupId: $groupId) { added skipped alreadyEnrolled }
  }
`;

export const Contacts = /* GraphQL */ `
  query Contacts($cursor: String, $perPage: Int, $filter: ContactFilter, $sort: String, $order: SortOrder!) {
    contacts(cursor: $cursor, perPage: $perPage, filter: $filter, sort: $sort, order: $order) {
      items { id email firstName lastName company phone status leadStatus groupIds createdAt }
      pageInfo { page perPage total totalPages totalIsEstimate nextCursor }
    }
  }
`;

export const CreateContact = /* GraphQL */ `
  mutation CreateContact($input: ContactInput!) {
    createContact(input: $input) { id email }
  }
`;

export const DeleteContact = /* GraphQL */ `
  mutation DeleteContact($id: ID!) {
    deleteContact(id: $id) { id deleted }
  }
`;

export const GroupOptions = /* GraphQL */ `
  query GroupOptions {
    groups(perPage: 100, sort: "name", order: asc) {
      items { id name contactCount }
    }
  }
`;

export const Groups = /* GraphQL */ `
  query Groups($page: Int, $filter: GroupFilter) {
    groups(page: $page, perPage: 50, filter: $filter, sort: "name", order: asc) {
      items { id name description contactCount createdAt }
      pageInfo { page perPage total totalPages }
    }
  }
`;

export const CreateGroup = /* GraphQL */ `
  mutation CreateGroup($input: GroupInput!) {
    createGroup(input: $input) { id name }
  }
`;

export const UpdateGroup = /* GraphQL */ `
  mutation UpdateGroup($id: ID!, $input: GroupUpdate!) {
    updateGroup(id: $id, input: $input) { id name description }
  }
`;

export const DeleteGroup = /* GraphQL */ `
  mutation DeleteGroup($id: ID!) {
    deleteGroup(id: $id) { id deleted }
  }
`;


export const EmailAccounts = /* GraphQL */ `
  query EmailAccounts {
    emailAccounts(perPage: 100, sort: "email", order: asc) {
      items {
        id
        email
        name
        smtpHost
        smtpPort
        smtpUsername
        smtpSecurity
        dailyLimit
        timezone
        sendGapSeconds
        status
        lastError
        replyTracking
        imapHost
        imapPort
        imapUsername
        imapSecurity
        imapCheckedAt
        sentToday
      }
    }
  }
`;

export const CreateEmailAccount = /* GraphQL */ `
  mutation CreateEmailAccount($input: EmailAccountInput!) {
    createEmailAccount(input: $input) { id email }
  }
`;

export const UpdateEmailAccount = /* GraphQL */ `
  mutation UpdateEmailAccount($id: ID!, $input: EmailAccountUpdate!) {
    updateEmailAccount(id: $id, input: $input) { id email }
  }
`;

export const DeleteEmailAccount = /* GraphQL */ `
  mutation DeleteEmailAccount($id: ID!) {
    deleteEmailAccount(id: $id) { id deleted }
  }
`;

export const TestEmailAccount = /* GraphQL */ `
  mutation TestEmailAccount($id: ID!) {
    testEmailAccount(id: $id) {
      smtp { ok error steps { step ok reply } }
      imap { ok error steps { step ok reply } }
      emailAccount { id status lastError }
    }
  }
`;

export const Webhooks = /* GraphQL */ `
  query Webhooks {
    webhooks(perPage: 100) {
      items { id url events description active disabledReason createdAt }
    }
  }
`;

export const WebhookDeliveries = /* GraphQL */ `
  query WebhookDeliveries($id: ID!, $page: Int) {
    webhook(id: $id) {
      id
      deliveries(page: $page, perPage: 20) {
        items { eventId eventType attempt success statusCode error durationMs createdAt }
        pageInfo { page perPage total totalPages }
      }
    }
  }
`;

export const CreateWebhook = /* GraphQL */ `
  mutation CreateWebhook($input: WebhookInput!) {
    createWebhook(input: $input) { id url secret }
  }
`;

export const UpdateWebhook = /* GraphQL */ `
  mutation UpdateWebhook($id: ID!, $input: WebhookUpdate!) {
    updateWebhook(id: $id, input: $input) { id active }
  }
`;

export const DeleteWebhook = /* GraphQL */ `
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id) { id deleted }
  }
`;

export const TestWebhook = /* GraphQL */ `
  mutation TestWebhook($id: ID!) {
    testWebhook(id: $id) { eventId }
  }
`;

export const RotateWebhookSecret = /* GraphQL */ `
  mutation RotateWebhookSecret($id: ID!) {
    rotateWebhookSecret(id: $id) { id secret }
  }
`;

export const ApiKeys = /* GraphQL */ `
  query ApiKeys {
    apiKeys { id name prefix createdAt lastUsedAt revokedAt }
    viewer { workspace { plan } }
  }
`;

export const CreateApiKey = /* GraphQL */ `
  mutation CreateApiKey($name: String) {
    createApiKey(name: $name) {
      secret
      apiKey { id name prefix }
    }
  }
`;

export const RevokeApiKey = /* GraphQL */ `
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { id revokedAt }
  }
`;

export const Suppressions = /* GraphQL */ `
  query Suppressions($page: Int, $filter: SuppressionFilter) {
    suppressions(page: $page, perPage: 50, filter: $filter) {
      items { id kind value source createdAt }
      pageInfo { page perPage total totalPages }
    }
  }
`;

export const AddSuppressions = /* GraphQL */ `
  mutation AddSuppressions($items: [SuppressionInput!]) {
    addSuppressions(items: $items) { created existing }
  }
`;

export const DeleteSuppression = /* GraphQL */ `
  mutation DeleteSuppression($id: ID!, $reason: String) {
    deleteSuppression(id: $id, reason: $reason) { id deleted }
  }
`;

export const CampaignEdit = /* GraphQL */ `
  query CampaignEdit($id: ID!) {
    campaign(id: $id) {
      id
      status
      dailyLimit
      trackOpens
      trackClicks
      stopOnReply
      oooPauseDays
      emailAccountIds
      autoWinner { metric minSentPerVariant }
      schedule { timezone days startTime endTime fallbackTimezone skipDates }
      steps { step subject body delayDays sendIf variants { id subject body weight } }
      stats { steps { step sent winnerId variants { variantId sent opened clicked replied openRate clickRate replyRate } } }
    }
    emailAccounts(perPage: 100) { items { id email } }
  }
`;

export const UpdateCampaign = /* GraphQL */ `
  mutation UpdateCampaign($id: ID!, $input: CampaignUpdate!) {
    updateCampaign(id: $id, input: $input) {
      id
      warnings { step variantId part variable suggestion message }
    }
  }
`;

export const CampaignPreview = /* GraphQL */ `
  query CampaignPreview($id: ID!, $contactId: ID!, $step: Int!, $variantId: ID, $subject: String, $body: String) {
    campaign(id: $id) {
      preview(contactId: $contactId, step: $step, variantId: $variantId, subject: $subject, body: $body) {
        variantId
        subject
        body
        bodyText
        from
        to
      }
    }
  }
`;

export const ContactPlan = /* GraphQL */ `
  query ContactPlan($id: ID!, $contactId: ID!) {
    campaign(id: $id) {
      plan(contactId: $contactId) {
        state
        reason
        timezone
        steps { step plannedAt reasons { code message } }
      }
    }
  }
`;

export const ContactPage = /* GraphQL */ `
  query ContactPage($id: ID!) {
    contact(id: $id) {
      id
      email
      firstName
      lastName
      company
      phone
      timezone
      customFields
      status
      leadStatus
      createdAt
      campaigns { campaign { id name } state currentStep enrolledAt }
      messages { id campaignId step subject state variantId skipReason sentAt openedAt clickedAt repliedAt }
    }
    campaigns(perPage: 100) { items { id name status } }
  }
`;

export const UpdateContact = /* GraphQL */ `
  mutation UpdateContact($id: ID!, $input: ContactUpdate!) {
    updateContact(id: $id, input: $input) { id }
  }
`;

export const EnrolContacts = /* GraphQL */ `
  mutation EnrolContacts($id: ID!, $contactIds: [ID!]) {
    addContactsToCampaign(id: $id, contactIds: $contactIds) { added skipped alreadyEnrolled }
  }
`;

export const AddToGroup = /* GraphQL */ `
  mutation AddToGroup($id: ID!, $contactIds: [ID!]!) {
    addContactsToGroup(id: $id, contactIds: $contactIds) { added alreadyMembers }
  }
`;

export const CampaignOptions = /* GraphQL */ `
  query CampaignOptions {
    campaigns(perPage: 100) { items { id name status } }
  }
`;

export const ContactsExport = /* GraphQL */ `
  query ContactsExport($cursor: String, $filter: ContactFilter, $sort: String, $order: SortOrder!) {
    contacts(cursor: $cursor, perPage: 100, filter: $filter, sort: $sort, order: $order) {
      items { id email firstName lastName company phone timezone status customFields createdAt }
      pageInfo { nextCursor }
    }
  }
`;

/** What the domains page shows of a sending domain (spliced into the operations below). */
const DomainFields = /* GraphQL */ `
  fragment DomainFields on Domain {
    name
    emailAccountIds
    checkedAt
    mx { records { preference host } provider }
    spf { record mechanisms lookups all hosts { host authorised } }
    dkim { selectors { selector keyType bits managed } }
    dmarc { record recordDomain p sp pct adkim aspf rua }
    bimiEligible
    verdicts {
      gmailYahooBulk { status problems { code message fix } }
      microsoftHighVolume { status problems { code message fix } }
    }
    dkimKeys { id selector algorithm state record { type name host value } publishedAt activatedAt createdAt }
  }
`;

export const Domains = /* GraphQL */ `
  query Domains($page: Int) {
    domains(page: $page, perPage: 20) {
      items { ...DomainFields }
      pageInfo { page perPage total totalPages }
    }
    emailAccounts(perPage: 100, sort: "email", order: asc) { items { id email } }
  }
  ${DomainFields}
`;

export const Domain = /* GraphQL */ `
  query Domain($name: String!) {
    domain(name: $name) { ...DomainFields }
  }
  ${DomainFields}
`;

export const CheckDomain = /* GraphQL */ `
  mutation CheckDomain($name: String!) {
    checkDomain(name: $name) { ...DomainFields }
  }
  ${DomainFields}
`;

export const CreateDkimKey = /* GraphQL */ `
  mutation CreateDkimKey($name: String!, $algorithm: String, $selector: String) {
    createDkimKey(name: $name, algorithm: $algorithm, selector: $selector) {
      key { selector }
      domain { ...DomainFields }
    }
  }
  ${DomainFields}
`;

export const ActivateDkimKey = /* GraphQL */ `
  mutation ActivateDkimKey($name: String!, $selector: String!) {
    activateDkimKey(name: $name, selector: $selector) { ...DomainFields }
  }
  ${DomainFields}
`;

export const DeleteDkimKey = /* GraphQL */ `
  mutation DeleteDkimKey($name: String!, $selector: String!) {
    deleteDkimKey(name: $name, selector: $selector) { ...DomainFields }
  }
  ${DomainFields}
`;

export const ContactExport = /* GraphQL */ `
  query ContactExport($id: ID!) {
    contactExport(id: $id) {
      contact { id email firstName lastName company phone timezone customFields status leadStatus groupIds createdAt updatedAt }
      enrolments { campaignId state currentStep reason emailAccountId enrolledAt lastSentAt nextSendAt }
      messages { id campaignId step variantId messageId subject body bodyText state lastReply skipReason createdAt sentAt openedAt clickedAt repliedAt }
      events { type campaignId step occurredAt detail }
      suppressions { id kind value source createdAt }
      inbox { id threadId kind from subject text html at }
      exportedAt
    }
  }
`;

export const EraseContact = /* GraphQL */ `
  mutation EraseContact($id: ID!) {
    deleteContact(id: $id, erase: true) { id deleted }
  }
`;

export const InboxThreads = /* GraphQL */ `
  query InboxThreads($page: Int, $filter: InboxFilter) {
    inbox(page: $page, perPage: 20, filter: $filter) {
      items { id campaignId unread lastMessageAt contact { id email firstName lastName leadStatus } }
      pageInfo { page perPage total totalPages }
    }
    campaigns(perPage: 100) { items { id name } }
  }
`;

export const InboxConversation = /* GraphQL */ `
  query InboxConversation($id: ID!) {
    inboxThread(id: $id) {
      id
      campaignId
      unread
      contact { id email firstName lastName leadStatus }
      messages { id kind step from subject text at }
    }
  }
`;

export const MarkInboxThreadRead = /* GraphQL */ `
  mutation MarkInboxThreadRead($id: ID!) {
    markInboxThreadRead(id: $id) { id unread }
  }
`;

export const ReplyToInboxThread = /* GraphQL */ `
  mutation ReplyToInboxThread($id: ID!, $body: String!) {
    replyToInboxThread(id: $id, body: $body) { savedToSent message { id } }
  }
`;
