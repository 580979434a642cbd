using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using Switchboard.Features.Conversations;
using Switchboard.Features.Outbound;
using Switchboard.Features.Workspace;

namespace Switchboard.Dashboard.Inbox;

/// <summary>The composer's draft, canned-response picker and sending.</summary>
public sealed partial class Composer
{
    private const long MaxFileBytes = 16 * 1024 * 1024;

    // WhatsApp shows the indicator for up to 25 s or until the reply arrives; one every 20 s while typing keeps it up.
    private static readonly TimeSpan TypingEvery = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource life = new();
    private string draft = "";
    private bool noteMode;
    private IBrowserFile? attachment;
    private bool sending;
    private string composeKey = Guid.NewGuid().ToString("N");
    private string choices = "";
    private string? options;
    private string? listButton;
    private Guid loadedFor;
    private DateTimeOffset typingSentAt = DateTimeOffset.MinValue;
    private int pickerIndex;
    private string? pickerDismissedAt;
    private bool kbOpen;
    private SuggestionBar? suggestionBar;

    [Parameter, EditorRequired]
    public Guid TenantId { get; set; }

    [Parameter, EditorRequired]
    public Guid ConversationId { get; set; }

    [Parameter]
    public bool CanSend { get; set; }

    [Parameter]
    public bool WindowClosed { get; set; }

    [Parameter]
    public MessageResponse? ReplyTo { get; set; }

    [Parameter]
    public EventCallback OnCancelReply { get; set; }

    /// <summary>The message was queued (or the note recorded).</summary>
    [Parameter]
    public EventCallback OnSent { get; set; }

    /// <summary>Why the last attempt (or the file picked) was refused; null clears it.</summary>
    [Parameter]
    public EventCallback<string?> OnError { get; set; }

    /// <summary>Whose drafts these are (drafts are kept per person and conversation).</summary>
    [Parameter]
    public Guid? UserId { get; set; }

    /// <summary>The tenant's and the viewer's own canned responses (ADR 0024).</summary>
    [Parameter]
    public IReadOnlyList<CannedView> Canned { get; set; } = [];

    /// <summary>The contact's name as this view shows it, for <c>{{contact.name}}</c>; never stored with the text.</summary>
    [Parameter]
    public string? ContactName { get; set; }

    [Parameter]
    public string? AgentName { get; set; }

    private string DraftKey => $"{TenantId:N}:{UserId:N}:{ConversationId:N}";

    private bool Enabled => CanSend && (noteMode || !WindowClosed);

    // The picker is open while the whole draft is "/" and a shortcut being typed, until Esc.
    private bool PickerOpen => Enabled && draft.StartsWith('/') && !draft.Any(char.IsWhiteSpace) && draft != pickerDismissedAt;

    private IReadOnlyList<CannedView> CannedMatches
    {
        get
        {
            var query = draft.Length > 0 ? draft[1..] : "";
            return [.. Canned.Where(c => c.Shortcut.StartsWith(query, StringComparison.OrdinalIgnoreCase))
                .Concat(Canned.Where(c => !c.Shortcut.StartsWith(query, StringComparison.OrdinalIgnoreCase) && c.Shortcut.Contains(query, StringComparison.OrdinalIgnoreCase)))
                .Take(8)];
        }
    }

    protected override void OnParametersSet()
    {
        if (loadedFor != ConversationId)
        {
            // The text typed so far is already saved under the previous conversation (dashboard.js, on every input).
            draft = "";
            attachment = null;
            (choices, options, listButton) = ("", null, null);
            typingSentAt = DateTimeOffset.MinValue;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (loadedFor != ConversationId && RendererInfo.IsInteractive)
        {
            loadedFor = ConversationId;
            var conversation = ConversationId;
            var saved = await JS.InvokeAsync<string>("switchboard.loadDraft", DraftKey);

            // The browser's answer can come after the agent moved on: a draft belongs only to the conversation it was asked for.
            if (conversation == ConversationId && saved.Length > 0 && draft.Length == 0)
            {
                draft = saved;
                StateHasChanged();
            }
        }
    }

    private async Task OnDraftChangedAsync()
    {
        var now = Clock.GetUtcNow();
        if (!noteMode && Enabled && !string.IsNullOrWhiteSpace(draft) && !draft.StartsWith('/') && now - typingSentAt >= TypingEvery)
        {
            typingSentAt = now;
            await Inbox.TypingAsync(TenantId, ConversationId, life.Token);
        }
    }

    private ValueTask SaveDraftAsync() => JS.InvokeVoidAsync("switchboard.saveDraft", DraftKey, draft);

    /// <summary>Arrows move, Enter or Tab inserts, Esc closes (dashboard.js keeps the textarea from acting on these keys while the picker is open).</summary>
    private bool OnPickerKey(string key)
    {
        var count = CannedMatches.Count;
        switch (key)
        {
            case "ArrowDown" when count > 0:
                pickerIndex = (Math.Min(pickerIndex, count - 1) + 1) % count;
                return true;
            case "ArrowUp" when count > 0:
                pickerIndex = (Math.Min(pickerIndex, count - 1) + count - 1) % count;
                return true;
            case "Enter" or "Tab" when count > 0:
                InsertCanned(Math.Min(pickerIndex, count - 1));
                return true;
            case "Escape":
                pickerDismissedAt = draft;
                return true;
            default:
                pickerIndex = 0;
                return false;
        }
    }

    /// <summary>A suggested reply replaces the draft.</summary>
    private void InsertText(string text)
    {
        draft = text;
        _ = SaveDraftAsync().AsTask();
    }

    private void InsertCanned(int index)
    {
        if (index >= 0 && index < CannedMatches.Count)
        {
            draft = CannedText.Render(CannedMatches[index].Text, ContactName, AgentName);
            pickerIndex = 0;
            _ = SaveDraftAsync().AsTask();
        }
    }

    private void ToggleKnowledge() => kbOpen = !kbOpen;

    /// <summary>An article's link or excerpt joins the draft on a line of its own.</summary>
    private void InsertArticle(string text)
    {
        draft = string.IsNullOrWhiteSpace(draft) ? text : draft.TrimEnd() + "\n" + text;
        kbOpen = false;
        _ = SaveDraftAsync().AsTask();
    }

    private async Task OnKeyAsync(KeyboardEventArgs e)
    {
        if (PickerOpen && OnPickerKey(e.Key))
        {
            return;
        }

        if (e.AltKey && e.Key is "1" or "2" or "3")
        {
            if (suggestionBar is not null)
            {
                await suggestionBar.InsertAsync(e.Key[0] - '1');
            }

            return;
        }

        if (e.Key == "Enter" && (e.CtrlKey || e.MetaKey))
        {
            await SendAsync();
        }
    }

    private async Task OnFileAsync(InputFileChangeEventArgs e)
    {
        if (e.File.Size > MaxFileBytes)
        {
            await OnError.InvokeAsync("Files up to 16 MB can be sent from here.");
            return;
        }

        await OnError.InvokeAsync(null);
        attachment = e.File;
    }

    private async Task SendAsync()
    {
        if (sending || !Enabled || (string.IsNullOrWhiteSpace(draft) && attachment is null))
        {
            return;
        }

        sending = true;
        try
        {
            var error = await Inbox.SendAsync(TenantId, ConversationId, await RequestAsync(), "dashboard:" + composeKey, life.Token);
            await OnError.InvokeAsync(error);
            if (error is null)
            {
                draft = "";
                await SaveDraftAsync();
                attachment = null;
                (choices, options, listButton) = ("", null, null);
                composeKey = Guid.NewGuid().ToString("N");
                await OnSent.InvokeAsync();
            }
        }
        finally
        {
            sending = false;
        }
    }

    private async Task<SendRequest> RequestAsync()
    {
        if (noteMode)
        {
            return new SendRequest("note", draft.Trim(), null, null, null, null, null, null, null, null);
        }

        var lines = (options ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (choices == "buttons")
        {
            return new SendRequest("buttons", draft.Trim(), null, ReplyTo?.Id, null, null, null, null,
                [.. lines.Select((title, i) => new SendButton($"b{i + 1}", title))], null);
        }

        if (choices == "list")
        {
            return new SendRequest("list", draft.Trim(), null, ReplyTo?.Id, null, null, null, null, null,
                new SendList(listButton?.Trim(), [new SendListSection(null, [.. lines.Select((title, i) => new SendListRow($"r{i + 1}", title, null))])]));
        }

        if (attachment is not { } file)
        {
            return new SendRequest("text", draft.Trim(), null, ReplyTo?.Id, null, null, null, null, null, null);
        }

        await using var stream = file.OpenReadStream(MaxFileBytes, life.Token);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, life.Token);
        var kind = file.ContentType.Split('/')[0] switch { "image" => "image", "video" => "video", "audio" => "audio", _ => "document" };
        return new SendRequest(kind, string.IsNullOrWhiteSpace(draft) ? null : draft.Trim(), null, ReplyTo?.Id,
            new SendMedia(Convert.ToBase64String(buffer.ToArray()), file.ContentType, kind == "document" ? file.Name : null), null, null, null, null, null);
    }

    public void Dispose()
    {
        life.Cancel();
        life.Dispose();
    }
}
