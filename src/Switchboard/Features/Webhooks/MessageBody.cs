namespace Switchboard.Features.Webhooks;

/// <summary>
/// What a stored WhatsApp message shows, by type: read from its payload by <see cref="MessageBodies"/>, so
/// that a page renders fields and never looks inside the JSON itself. Public only because the
/// dashboard's components (public, as Razor makes them) take these as parameters.
/// </summary>
public abstract record MessageBody;

/// <summary><c>text</c> and internal notes.</summary>
public sealed record TextBody(string? Text) : MessageBody;

public enum MediaKind
{
    Image,
    Sticker,
    Video,
    Audio,
    Document,
}

/// <summary><c>image</c>, <c>sticker</c>, <c>video</c>, <c>audio</c> and <c>document</c>: the file itself is shown through the media API.</summary>
public sealed record MediaBody(MediaKind Kind, string? Caption, string? FileName, bool Voice) : MessageBody;

/// <summary>A shared location; the coordinates as WhatsApp wrote them.</summary>
public sealed record LocationBody(string? Name, string? Address, string Latitude, string Longitude) : MessageBody
{
    public string Coordinates => $"{Latitude}, {Longitude}";

    public string MapUrl => $"https://www.openstreetmap.org/?mlat={Latitude}&mlon={Longitude}#map=16/{Latitude}/{Longitude}";
}

public sealed record ContactCard(string Name, IReadOnlyList<string> Phones);

/// <summary>One or more shared contact cards.</summary>
public sealed record ContactsBody(IReadOnlyList<ContactCard> Cards) : MessageBody;

/// <summary>An interactive message the business sent: its text and the reply buttons (or the list's button) offered.</summary>
public sealed record SentButtonsBody(string? Text, IReadOnlyList<string> Buttons) : MessageBody;

/// <summary>The customer tapped a reply button or a list row (<c>interactive</c> or a template's <c>button</c>).</summary>
public sealed record ChoiceBody(string Title, string? Description) : MessageBody;

public sealed record OrderItem(string ProductId, string Quantity, string Price, string Currency);

/// <summary>A cart sent from the catalog.</summary>
public sealed record OrderBody(IReadOnlyList<OrderItem> Items, string? Text) : MessageBody;

/// <summary>A reaction to another message (an empty emoji removes it).</summary>
public sealed record ReactionBody(string? Emoji) : MessageBody;

/// <summary>
/// What the dashboard cannot show as content: WhatsApp's <c>system</c> notices, <c>unsupported</c>
/// messages, and any type that appears after this code was written.
/// </summary>
public sealed record NoticeBody(string Heading, string? Text) : MessageBody;
