using NetArchTest.Rules;
using Switchboard.Common.Persistence;
using Xunit.Abstractions;

namespace Switchboard.Tests.Architecture;

/// <summary>The module boundaries of docs/decisions/0020-module-boundaries.md, checked on the compiled product.</summary>
public sealed class DependencyRulesTests(ITestOutputHelper output)
{
    private const string Features = "Switchboard.Features.";

    /// <summary>
    /// What a feature offers the others, by type name (namespace <c>Switchboard.Features.&lt;Feature&gt;</c>).
    /// Besides these, features meet only in Common. Adding a name here is a design decision: say why in ADR 0020.
    /// </summary>
    private static readonly Dictionary<string, string[]> EntryPoints = new()
    {
        // Recording an audited change.
        ["Audit"] = ["AuditLog", "AuditActor",

            // Opening a conversation, contact or media is logged, coalesced per person and target (ADR 0039).
            "AccessLog"],

        // The business numbers: read, routed to by Meta's phone_number_id, their credentials opened, caches told of changes.
        ["Channels"] = ["Channel", "ChannelStatus", "ChannelsTables", "ChannelDirectory", "ChannelSecrets", "ChannelChanges"],

        // The ledger, the one writer of contacts, conversations, messages, reactions and statuses (ADR 0019), with
        // the records it takes; the read model; the contact directory and keys; contact merges; realtime events.
        ["Conversations"] =
        [
            "ConversationLedger", "InboundBatch", "InboundMessage", "InboundSender", "InboundReaction", "InboundStatus", "ForwardedMark",
            "OutboundDraft", "SendOutcome", "DeliveryState", "DeliveryStates",
            "Contact", "ContactProfile", "ContactDirectory", "ContactKeys", "IContactMergeStep", "ContactMerge",

            // Erasure (ADR 0026): features remove their rows of an erased contact or deleted messages through this seam.
            "IContactEraseStep", "ContactErasure", "MessageErasure", "ErasedCounts",

            // The rest of the read model an export copies (Privacy reads, never writes, these).
            "ConversationStatus", "Reaction", "StatusUpdate",
            "Conversation", "Message", "MessageDirection", "ConversationsTables", "RealtimeLog",
            "ConversationResponse", "ContactReader", "ContactSummary",

            // The seam through which routing and service levels act on a conversation's changes, and the SLA columns' vocabulary (ADR 0023).
            "IConversationStep", "ConversationChange", "ConversationCause", "SlaKind", "SlaKinds", "SlaDue",

            // A conversation's label names, which choose its SLA policy (ADR 0023, 0024).
            "LabelsApi",

            // A conversation's label ids: reports count per label (ADR 0030).
            "ConversationLabel",

            // Which conversations a caller sees, implemented by routing's "agents see their teams' only" (ADR 0022).
            "IConversationScope", "ConversationVisibility", "ConversationScopes",

            // Automation (ADR 0028): label rows and definitions its rules check and its save interceptor sees added, SLA
            // warnings raised in a unit of work, a conversation's priority, contact attributes "attribute" conditions read.
            "Label", "RaisedSlaWarnings", "ConversationPriorities", "ContactAttributes", "ContactAttributeDefinition", "ContactProfileTables",
            // Survey answers do not reopen a resolved conversation; Satisfaction matches them to its surveys (ADR 0031).
            "SurveyReplies",
            // The bot (ADR 0029): writes as a bot, saves answers to contact attributes, adds labels, reads what a flow may name.
            "MessageAuthor", "UpdateContact", "UpdateContact/Request", "ContactsApi", "ContactsApi/ContactResponse",
            // A data-rights request for rectification is fulfilled by the contact update itself (ADR 0032).
            // A tenant's minimal-messages setting: the processor drops its raw events, the retention run trims what was stored whole (ADR 0051).
            "MinimalMessages",
        ],

        // Membership of a tenant (who can be assigned), API tokens (the tenant's first admin token, erasure) and token hashing.
        ["Identity"] = ["Membership", "MembershipStatus", "ApiToken", "ApiTokenKind", "ApiTokenSecrets", "IdentityTables",

            // A person confirms an irreversible action (a tenant's deletion) with password and authenticator code.
            "Reauthentication",

            // Where privacy notices go: the tenant's admins, the member who asked for an export (ADR 0039).
            "MemberEmails",

            // An account's deletion is re-applied from the deletion ledger after a restore (ADR 0038).
            "DeleteUser"],

        // Media rows and the encrypted blob store (a contact's or tenant's files are erased with it).
        ["Media"] = ["MediaObject", "MediaState", "MediaTables", "MediaSignal", "BlobStore"],
        // The sealed mail queue other features write into, in their own unit of work.
        ["Mail"] = ["MailQueue", "MailSeals"],

        // Outbox rows: re-sealed when a contact's key changes, held when a number's credentials change, purged by age.
        // The send use case with its request, through which automatic replies and rule actions send (ADR 0028).
        ["Outbound"] = ["OutboxItem", "OutboxState", "OutboundTables",

            // Satisfaction queues its survey like any reply: the window, pacing and idempotency rules hold (ADR 0031).
            // The bot's messages too (ADR 0029).
            "SendMessage", "SendMessage/Response", "SendRequest", "SendMedia", "SendReaction", "SendButton", "SendList", "SendListSection", "SendListRow", "SendValidation", "OutboxSignal"],

        // The inbox, erased with its tenant; its processed events purged by a tenant's retention (ADR 0032).
        ["Webhooks"] = ["WebhookEvent", "WebhookEventState", "WebhooksTables"],

        // Business hours (calendars and the clock) for out-of-hours replies and conditions, teams and who is online
        // for away replies and "assign team" (ADR 0028).
        ["Routing"] = ["BusinessClock", "BusinessSchedule", "Calendar", "CalendarHours", "Holiday", "SlaTables", "TenantSlaRules",
            "Team", "TeamMember", "AgentState", "RoutingTables",

            // Flows ask which teams and calendars exist, whether a calendar is open and an agent online (ADR 0029).
            "RoutingLookups",

            // Analytics counts routing's automatic assignments from their history rows, and measures in SLA business hours (ADR 0030).
            "AssignmentEntry", "SlaRulesCache",

            // Analytics turns availability changes into agents' online time (ADR 0030).
            "AgentStatusChanges"],

        // Shared canned responses a rule sends (ADR 0028).
        ["Workspace"] = ["CannedResponse", "WorkspaceTables", "CannedText"],

        // Flows keep automatic replies out of a conversation a bot answers (ADR 0028, 0029).
        ["Automation"] = ["IAutoReplyVeto"],

        // The crypto-erase of a tenant, which its own admin's deletion ends in (Privacy, ADR 0026).
        ["Tenants"] = ["EraseTenant", "EraseTenant/Services"],

        // Archives of transcripts are downloaded through the exports' short-lived links (ADR 0031); whether a contact
        // restricted processing or objected: bots, analytics and automation ask before acting (ADR 0032).
        ["Privacy"] = ["ExportLinks", "ContactRestrictions",

            // Exports and transcript archives share the page, the link and the audited download of a sealed ZIP.
            "SealedZipDownloads", "SealedZipDownloads/Kind", "ISealedZip"],

        // Published articles found for a question: suggested replies and the bot answer from them (ADR 0034).
        ["Knowledge"] = ["KnowledgeSearch", "KnowledgeHit"],

        // Leaves: nobody uses satisfaction or transcripts (ADR 0031).
        ["Satisfaction"] = [],
        ["Transcripts"] = [],

        // A knowledge base plugs in through ISuggestionSource (ADR 0035); automation's conditions and analytics read
        // sentiment through one entry point (ADR 0046).
        ["Assistant"] = ["SentimentReadings", "ScoredMessage"],
    };

    private static readonly Lazy<IReadOnlyList<(string From, string To)>> CrossFeature = new(() =>
        [.. TypeDependencies.Of(typeof(SwitchboardDbContext).Assembly.Location)
            .Where(p => p.From.StartsWith(Features, StringComparison.Ordinal) && p.To.StartsWith(Features, StringComparison.Ordinal))
            .Select(p => (From: p.From[Features.Length..], To: p.To[Features.Length..]))
            .Where(p => FeatureOf(p.From) != FeatureOf(p.To))
            .OrderBy(p => p.To, StringComparer.Ordinal).ThenBy(p => p.From, StringComparer.Ordinal)]);

    [Fact]
    public void Common_depends_on_no_feature_nor_on_the_dashboard_or_hosting()
    {
        var result = Types.InAssembly(typeof(SwitchboardDbContext).Assembly)
            .That().ResideInNamespace("Switchboard.Common")
            .ShouldNot().HaveDependencyOnAny("Switchboard.Features", "Switchboard.Dashboard", "Switchboard.Hosting")
            .GetResult();

        result.SelectedTypesForTesting.Select(t => t.FullName).Should().Contain(typeof(SwitchboardDbContext).FullName, "the rule covers Common's sub-namespaces");

        var failing = (result.FailingTypes ?? [])
            .Select(t => $"{t.FullName}: {t.Explanation}");
        failing.Should().BeEmpty("Common is shared plumbing and must not know the features, the dashboard or the composition root (ADR 0020)");
    }

    [Fact]
    public void The_rule_sees_a_dependency_on_a_feature()
    {
        var result = Types.InAssembly(typeof(SwitchboardDbContext).Assembly)
            .That().ResideInNamespace("Switchboard.Hosting")
            .ShouldNot().HaveDependencyOnAny("Switchboard.Features")
            .GetResult();

        result.IsSuccessful.Should().BeFalse("the composition root calls every feature's AddX and MapX");
    }

    [Fact]
    public void A_feature_uses_another_only_through_its_entry_points()
    {
        output.WriteLine(string.Join('\n', CrossFeature.Value.Select(p => $"{p.To} <- {p.From}")));

        var unexpected = CrossFeature.Value
            .Where(p => !IsEntryPoint(p.To))
            .Select(p => $"{p.From} uses {p.To}");

        unexpected.Should().BeEmpty("a feature reaches another only through the entry points listed in this test (ADR 0020)");
    }

    [Fact]
    public void The_dependency_reader_sees_method_bodies_and_extension_members()
    {
        var pairs = TypeDependencies.Of(typeof(SwitchboardDbContext).Assembly.Location);

        // db.Messages inside a Media loop: an extension property of Conversations, used in an async method's body.
        pairs.Should().Contain(("Switchboard.Features.Media.MediaFetcher", "Switchboard.Features.Conversations.ConversationsTables"));
        pairs.Should().Contain(("Switchboard.Features.Tenants.EraseTenant", "Switchboard.Features.Media.BlobStore"));
    }

    private static bool IsEntryPoint(string type)
    {
        var feature = FeatureOf(type);
        return EntryPoints.TryGetValue(feature, out var names) && names.Contains(type[(feature.Length + 1)..], StringComparer.Ordinal);
    }

    private static string FeatureOf(string type) => type.Split('.')[0];
}
