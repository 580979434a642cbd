using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using Switchboard.Common.Realtime;
using Switchboard.Common.Security;
using Switchboard.Features.Conversations;

namespace Switchboard.Dashboard.Inbox;

/// <summary>The inbox's state: the list, the open conversation, live refresh and presence.</summary>
public sealed partial class InboxPage
{
    // However far the list is scrolled, it holds at most this many conversations (search narrows beyond that).
    private const int MaxListed = 1200;

    /// <summary>The conversation the address named when the server rendered it; <see cref="open"/> is the one on screen (ADR 0057).</summary>
    [Parameter]
    public Guid? ConversationId { get; set; }

    /// <summary>A message to open the conversation at (a search result) instead of the newest.</summary>
    [SupplyParameterFromQuery(Name = "message")]
    public Guid? Message { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>Present while prerendering only: its cookie names the viewer's time zone.</summary>
    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    /// <summary>The zone the prerender found, carried into the circuit so the first interactive render shows the same times.</summary>
    [PersistentState]
    public string? TimeZoneId { get; set; }

    private ViewerTime time = ViewerTime.Utc;
    private Guid tenantId;
    private Guid? userId;
    private bool canSend;
    private InboxFilter filter = new(AssigneeFilter.All, StatusFilter.Open, false, null);
    private bool notify;
    private List<InboxItem> items = [];
    private Dictionary<Guid, string> sentiments = [];
    private IReadOnlyList<Member> members = [];
    private IReadOnlyList<LabelView> labels = [];
    private IReadOnlyList<CannedView> canned = [];
    private ConversationDetail? detail;

    // The conversation on screen, the message to open it at, and the conversation the browser's address names. The keys
    // open conversations inside the circuit and set the address themselves; the route's parameter can come late (ADR 0057).
    private Guid? open;
    private Guid? openAt;
    private Guid? addressed;
    private bool opened;
    private string? shownTitle;
    private bool notFound;
    private MessageResponse? replyTo;
    private string? error;
    private DateTimeOffset newestSeen;
    private RealtimeHub.Subscription? subscription;
    private readonly CancellationTokenSource life = new();
    private Timer? clockTimer;
    private Timer? presenceTimer;
    private (Guid?, int) lastShown;
    private IReadOnlyList<string> viewers = [];
    private Guid? viewing;
    private int listLimit = InboxService.PageSize;

    // Loads overlap (a navigation, a realtime refresh, a shortcut's own change): only the latest started shows (ADR 0044).
    private int detailLoads;
    private int listLoads;

    // The realtime sequence already accounted for: events after it say which conversations changed.
    private long seenSequence;

    protected override async Task OnInitializedAsync()
    {
        TimeZoneId ??= ViewerTime.FromRequest(HttpContext).Id;
        time = ViewerTime.FromId(TimeZoneId);
        var user = (await AuthenticationState).User;
        tenantId = user.TenantIdOf() ?? Guid.Empty;
        userId = user.UserIdOf();
        canSend = user.HasScope(Permissions.MessagesSend);
        members = await Inbox.MembersAsync(tenantId, life.Token);
        labels = await Inbox.LabelsAsync(tenantId, life.Token);
        canned = await Inbox.CannedAsync(tenantId, user, life.Token);
        seenSequence = await Inbox.LatestSequenceAsync(tenantId, life.Token);
        await ReloadListAsync();
        newestSeen = items.Select(i => i.LastMessageAt ?? DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        if (RendererInfo.IsInteractive)
        {
            subscription = Hub.Subscribe(tenantId);
            _ = ListenAsync(subscription, life.Token);
            clockTimer = new Timer(_ => InvokeAsync(StateHasChanged), null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
            presenceTimer = new Timer(_ => InvokeAsync(RefreshViewersAsync), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
            Navigation.LocationChanged += OnLocationChanged;
        }
    }

    /// <summary>
    /// The server's rendering of an address: it opens the conversation the address names, unless that is already on screen.
    /// A rendering that arrives after the keys moved the address on to another conversation is dropped (ADR 0057).
    /// </summary>
    protected override async Task OnParametersSetAsync()
    {
        if (!opened)
        {
            addressed = ConversationId;
            await OpenAsync(ConversationId, Message);
        }
        else if (ConversationId != open && ConversationId == addressed)
        {
            await OpenAsync(ConversationId, Message);
        }
    }

    /// <summary>
    /// Puts a conversation on screen (none: the list alone) and tells presence which one this circuit shows. The keys act on
    /// it from the moment this starts, before its load has finished.
    /// </summary>
    private async Task OpenAsync(Guid? id, Guid? atMessage)
    {
        opened = true;
        open = id;
        openAt = atMessage;
        replyTo = null;
        error = null;
        focused = id ?? focused;
        await LoadDetailAsync(markRead: true);
        if (RendererInfo.IsInteractive && viewing != id)
        {
            viewing = id;
            await Presence.ViewAsync(id, life.Token);
            await RefreshViewersAsync();
        }
    }

    private async Task ListenAsync(RealtimeHub.Subscription sub, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await sub.WaitAsync(Timeout.InfiniteTimeSpan, ct);
                await InvokeAsync(RefreshAsync);

                // Coalesce bursts: at most a few refreshes a second, however fast events arrive.
                await Task.Delay(200, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // A change made from this page shows at once, whether or not its realtime event has come back yet.
    private async Task ShowOwnChangeAsync()
    {
        await LoadDetailAsync(markRead: true);
        await RefreshAsync();
    }

    private async Task RefreshAsync()
    {
        var (last, changed, overflow) = await Inbox.ChangesSinceAsync(tenantId, seenSequence, life.Token);
        seenSequence = Math.Max(seenSequence, last);
        await ReloadListAsync();
        if (overflow || (open is { } shown && changed.Contains(shown)))
        {
            await LoadDetailAsync(markRead: true);
        }

        var newest = items.Where(i => !i.PreviewOutbound).Select(i => i.LastMessageAt ?? DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        if (newest > newestSeen)
        {
            newestSeen = newest;
            if (notify && items.FirstOrDefault(i => i.LastMessageAt == newest) is { } latest)
            {
                await JS.InvokeVoidAsync("switchboard.alert", latest.Name ?? latest.WaId ?? "New message", latest.Preview ?? "");
            }
        }

        StateHasChanged();
    }

    // Who else has the open conversation on screen (presence rows of every node, ADR 0033).
    private async Task RefreshViewersAsync()
    {
        try
        {
            var ids = viewing is { } open ? await Presence.OthersViewingAsync(open, life.Token) : [];
            var names = ids.Select(id => members.FirstOrDefault(m => m.Id == id)?.Name ?? "Someone").Order(StringComparer.CurrentCulture).ToList();
            if (!names.SequenceEqual(viewers))
            {
                viewers = names;
                StateHasChanged();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ReloadListAsync()
    {
        var ticket = ++listLoads;
        var loaded = await Inbox.ListAsync(tenantId, userId, filter, listLimit, life.Token);
        var moods = await Assistant.SentimentsAsync(tenantId, [.. loaded.Select(i => i.Id)], life.Token);
        if (ticket == listLoads)
        {
            items = [.. loaded];
            sentiments = moods;
        }
    }

    /// <summary>
    /// Reads the open conversation. A load that a later one overtook, or that was for the conversation shown before a
    /// change of conversation, is dropped: otherwise its older state would land last and stay on screen (ADR 0044).
    /// </summary>
    private async Task LoadDetailAsync(bool markRead)
    {
        var ticket = ++detailLoads;
        if (open is not { } id)
        {
            detail = null;
            notFound = false;
            return;
        }

        var loaded = await Inbox.DetailAsync(tenantId, id, life.Token);
        if (ticket != detailLoads || open != id)
        {
            return;
        }

        detail = loaded;
        notFound = loaded is null;
        if (markRead && loaded is { Conversation.UnreadCount: > 0 } && RendererInfo.IsInteractive)
        {
            await Inbox.MarkReadAsync(tenantId, id, life.Token);
        }
    }

    private Task SetFilterAsync(InboxFilter value)
    {
        filter = value;
        listLimit = InboxService.PageSize;
        return ReloadListAsync();
    }

    // Conversations in the list with unread messages, first in the tab's title: "(3) Inbox · Switchboard".
    private string UnreadPrefix => items.Count(i => i.Unread > 0) is > 0 and var n ? $"({n}) " : "";

    private string TitleText => $"{UnreadPrefix}{(detail is null ? "Inbox" : $"{detail.Conversation.ContactName ?? detail.Conversation.ContactWaId} · Inbox")} · Switchboard";

    public async ValueTask DisposeAsync()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        await life.CancelAsync();
        subscription?.Dispose();
        self?.Dispose();
        if (clockTimer is not null)
        {
            await clockTimer.DisposeAsync();
        }

        if (presenceTimer is not null)
        {
            await presenceTimer.DisposeAsync();
        }

        if (viewing is not null)
        {
            try
            {
                await Presence.ViewAsync(null, CancellationToken.None);
            }
            catch (ObjectDisposedException)
            {
                // The circuit's services went first.
            }
        }

        life.Dispose();
    }
}
