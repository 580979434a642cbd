namespace Switchboard.Features.Audit;

/// <summary>The audited actions. Names are stable: filters and integrations use them.</summary>
internal static class AuditActions
{
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LockedOut = "login.locked_out";
    public const string Logout = "logout";
    public const string TenantSwitched = "tenant.switched";
    public const string MfaEnabled = "mfa.enabled";
    public const string MfaDisabled = "mfa.disabled";
    public const string MfaFailed = "mfa.failed";
    public const string RecoveryCodeUsed = "mfa.recovery_code_used";
    public const string RecoveryCodesGenerated = "mfa.recovery_codes_generated";
    public const string UserInvited = "user.invited";
    public const string InviteRevoked = "user.invite_revoked";
    public const string InviteAccepted = "user.invite_accepted";
    public const string RoleChanged = "user.role_changed";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string PasswordChanged = "user.password_changed";
    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";
    public const string TenantCreated = "tenant.created";
    public const string TenantErased = "tenant.erased";
    public const string TenantKeyRotated = "tenant.key_rotated";
    public const string SettingsChanged = "settings.changed";
    public const string ChannelCreated = "channel.created";
    public const string ChannelCredentialsRotated = "channel.credentials_rotated";
    public const string ChannelRevoked = "channel.revoked";
    public const string ChannelThroughputChanged = "channel.throughput_changed";
    public const string WebhookReplayed = "webhook.replayed";
    public const string MasterKeyRewrap = "master_key.rewrap";
    public const string ExportCreated = "privacy.export";
    public const string ContactErased = "privacy.contact_erased";
    public const string LabelCreated = "label.created";
    public const string LabelUpdated = "label.updated";
    public const string LabelDeleted = "label.deleted";
    public const string CannedResponseCreated = "canned_response.created";
    public const string CannedResponseUpdated = "canned_response.updated";
    public const string CannedResponseDeleted = "canned_response.deleted";
    public const string ExportDownloaded = "privacy.export_downloaded";
    public const string ConversationDeleted = "privacy.conversation_deleted";
    public const string MessageDeleted = "privacy.message_deleted";
    public const string TenantDeletionScheduled = "tenant.deletion_scheduled";
    public const string TenantDeletionCancelled = "tenant.deletion_cancelled";
    public const string CalendarCreated = "calendar.created";
    public const string CalendarUpdated = "calendar.updated";
    public const string CalendarDeleted = "calendar.deleted";
    public const string SlaPolicyCreated = "sla_policy.created";
    public const string SlaPolicyUpdated = "sla_policy.updated";
    public const string SlaPolicyDeleted = "sla_policy.deleted";
    public const string FlowCreated = "flow.created";
    public const string FlowUpdated = "flow.updated";
    public const string FlowPublished = "flow.published";
    public const string FlowRestored = "flow.restored";
    public const string ContactAttributeCreated = "contact_attribute.created";
    public const string ContactAttributeUpdated = "contact_attribute.updated";
    public const string ContactAttributeDeleted = "contact_attribute.deleted";
    public const string KnowledgeArticleCreated = "kb_article.created";
    public const string KnowledgeArticleUpdated = "kb_article.updated";
    public const string KnowledgeArticlePublished = "kb_article.published";
    public const string KnowledgeArticleUnpublished = "kb_article.unpublished";
    public const string KnowledgeArticleDeleted = "kb_article.deleted";

    // The access log (ADR 0039): opening is coalesced per person and target; actions are written each time.
    public const string ConversationOpened = "access.conversation_opened";
    public const string ContactOpened = "access.contact_opened";
    public const string MediaOpened = "access.media_opened";
    public const string ConversationAssigned = "conversation.assigned";
    public const string ConversationTransferred = "conversation.transferred";
    public const string ConversationResolved = "conversation.resolved";
    public const string ConversationStatusChanged = "conversation.status_changed";
    public const string MessageSent = "message.sent";
    public const string UserDeleted = "user.deleted";
    public const string ExportReady = "privacy.export_ready";
    public const string TenantDeletionCompleted = "tenant.deletion_completed";
}
