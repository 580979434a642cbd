namespace Switchboard.Features.Outbound;

/// <summary>
/// The body of <c>POST …/conversations/{id}/messages</c>. <c>type</c> picks the kind; the other fields are
/// used by the kinds that need them (see <see cref="SendValidation"/>).
/// </summary>
internal sealed record SendRequest(
    string? Type,
    string? Text,
    bool? PreviewUrl,
    Guid? ReplyToMessageId,
    SendMedia? Media,
    SendReaction? Reaction,
    string? Header,
    string? Footer,
    IReadOnlyList<SendButton>? Buttons,
    SendList? List);

/// <summary>A file to upload to Meta first: base64 bytes, MIME type, and (documents) the file name.</summary>
internal sealed record SendMedia(string? Data, string? MimeType, string? FileName);

/// <summary>React to one of the conversation's messages; an empty emoji removes the reaction.</summary>
internal sealed record SendReaction(Guid? MessageId, string? Emoji);

internal sealed record SendButton(string? Id, string? Title);

internal sealed record SendList(string? Button, IReadOnlyList<SendListSection>? Sections);

internal sealed record SendListSection(string? Title, IReadOnlyList<SendListRow>? Rows);

internal sealed record SendListRow(string? Id, string? Title, string? Description);
