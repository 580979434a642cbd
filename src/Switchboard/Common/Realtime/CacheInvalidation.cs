using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;

namespace Switchboard.Common.Realtime;

/// <summary>
/// Tells every node's caches that something they hold changed (ADR 0056). A change applies to this node's caches at once
/// and, on PostgreSQL, goes to the other nodes as a NOTIFY on <see cref="NotifyChannel"/> (sent by <see cref="InvalidationSender"/>,
/// heard by <see cref="PostgresEventListener"/>). A node whose LISTEN connection dropped may have missed some, so it flushes
/// every cache (<see cref="FlushAll"/>) once it listens again. SQLite is one node: local only.
/// </summary>
internal sealed class CacheInvalidation(IOptions<SwitchboardOptions> options)
{
    /// <summary>The PostgreSQL NOTIFY channel; each payload is lines of <c>topic:key</c>.</summary>
    public const string NotifyChannel = "switchboard_invalidations";

    private readonly ConcurrentDictionary<string, ImmutableHandlers> handlers = new(StringComparer.Ordinal);
    private readonly Channel<string> outgoing = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly bool shared = options.Value.Database.Provider == DatabaseProvider.Postgres;
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs <paramref name="handler"/> for every change of <paramref name="topic"/> on any node; a null key means "everything may have changed".</summary>
    public void On(string topic, Action<Guid?> handler) =>
        handlers.AddOrUpdate(topic, _ => new([handler]), (_, existing) => new([.. existing.Items, handler]));

    /// <summary>Drops this node's cached <paramref name="key"/> of <paramref name="topic"/> now, and every other node's within moments.</summary>
    public void Publish(string topic, Guid key)
    {
        Apply(topic, key);
        if (shared)
        {
            outgoing.Writer.TryWrite($"{topic}:{key:N}");
        }
    }

    /// <summary>Every cache drops everything (a missed notification cannot be told from none).</summary>
    public void FlushAll()
    {
        foreach (var topic in handlers.Keys)
        {
            Apply(topic, null);
        }
    }

    /// <summary>A payload another node (or this one) sent.</summary>
    public void Receive(string payload)
    {
        foreach (var line in payload.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.LastIndexOf(':');
            if (colon > 0 && Guid.TryParseExact(line.AsSpan(colon + 1), "N", out var key))
            {
                Apply(line[..colon], key);
            }
        }
    }

    /// <summary>
    /// Completes once this node hears other nodes' changes (at once on SQLite, one node). What a cache holds from before
    /// then is flushed when listening starts.
    /// </summary>
    public Task Listening => shared ? listening.Task : Task.CompletedTask;

    internal ChannelReader<string> Outgoing => outgoing.Reader;

    /// <summary>The LISTEN connection is up and every cache has been flushed.</summary>
    internal void MarkListening() => listening.TrySetResult();

    private void Apply(string topic, Guid? key)
    {
        if (handlers.TryGetValue(topic, out var list))
        {
            foreach (var handler in list.Items)
            {
                handler(key);
            }
        }
    }

    private sealed record ImmutableHandlers(Action<Guid?>[] Items);
}
