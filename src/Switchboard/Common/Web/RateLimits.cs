using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Common.Security;

namespace Switchboard.Common.Web;

/// <summary>
/// Request rate limits: per API token on <c>/api</c>, per tenant on the webhook URLs, per client IP on
/// sign-in style endpoints (<see cref="Login"/>) and per account through <see cref="LoginThrottle"/>.
/// A rejection is a 429 with <c>Retry-After</c> and a <see cref="Problems.RateLimitedType"/> problem. With several nodes each
/// enforces its share (<see cref="RateLimitOptions.Nodes"/>, ADR 0056), so a limit holds for the whole cluster.
/// </summary>
public static class RateLimits
{
    /// <summary>Endpoint policy for password and invite forms: a fixed window per client IP, counting only POSTs (attempts).</summary>
    public const string Login = "login";

    public static IServiceCollection AddSwitchboardRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(RateLimitOptions.Section);
        var limits = section.Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.Configure<RateLimitOptions>(section);
        services.AddSingleton<LoginThrottle>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) => new ValueTask(RejectAsync(context.HttpContext, RetryAfterOf(context.Lease)));
            // Only a POST tries credentials or an invite code: loading the form costs nothing.
            o.AddPolicy(Login, http => limits.Enabled && limits.Login.PermitLimit > 0 && HttpMethods.IsPost(http.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(ClientAddress(http), _ => limits.Login.ToFixedWindow(limits.Nodes))
                : RateLimitPartition.GetNoLimiter(""));
            if (limits.Enabled)
            {
                o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => GlobalPartition(http, limits));
            }
        });
        return services;
    }

    /// <summary>After authentication (the API partitions by the caller's token) and before authorization.</summary>
    public static IApplicationBuilder UseSwitchboardRateLimits(this IApplicationBuilder app) => app.UseRateLimiter();

    /// <summary>
    /// Counts one sign-in attempt for <paramref name="email"/> against the per-account limit, whatever the
    /// client's address; a refused attempt must not reach the password check.
    /// </summary>
    internal static LoginThrottle.Decision TryLoginAttempt(HttpContext http, string email) =>
        http.RequestServices.GetRequiredService<LoginThrottle>().Attempt(email);

    /// <summary>Writes the 429 problem this product answers for every rate limit.</summary>
    internal static async Task RejectAsync(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            title: "Too many requests.",
            detail: $"Retry after {seconds.ToString(CultureInfo.InvariantCulture)} s.",
            statusCode: StatusCodes.Status429TooManyRequests,
            type: Problems.RateLimitedType).ExecuteAsync(http);
    }

    private static TimeSpan RetryAfterOf(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);

    private static RateLimitPartition<string> GlobalPartition(HttpContext http, RateLimitOptions limits)
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/api") && limits.Api.PermitsPerSecond > 0)
        {
            return RateLimitPartition.GetTokenBucketLimiter("api:" + Caller(http), _ => limits.Api.ToTokenBucket(limits.Nodes));
        }

        if (path.StartsWithSegments("/webhooks/whatsapp", out var rest) && limits.Webhooks.PermitsPerSecond > 0)
        {
            // A tenant URL that does not match the route (not a GUID) is a 404 and costs nothing to answer.
            var tenant = !rest.HasValue || rest == "/" ? "platform"
                : Guid.TryParse(http.Request.RouteValues["tenantId"] as string, out var id) ? id.ToString("N") : null;
            if (tenant is not null)
            {
                return RateLimitPartition.GetTokenBucketLimiter("webhooks:" + tenant, _ => limits.Webhooks.ToTokenBucket(limits.Nodes));
            }
        }

        return RateLimitPartition.GetNoLimiter("");
    }

    /// <summary>The API token, else the operator or the signed-in user, else the client address.</summary>
    private static string Caller(HttpContext http)
    {
        var user = http.User;
        return user.FindFirstValue(SwitchboardClaims.TokenId) is { } token ? "token:" + token
            : user.IsOperator() ? "operator"
            : user.FindFirstValue(SwitchboardClaims.UserId) is { } id ? "user:" + id
            : "ip:" + ClientAddress(http);
    }

    /// <summary>The peer, or behind a configured reverse proxy the client it names (Hosting/TrustedProxies).</summary>
    private static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

/// <summary>The <c>Switchboard:RateLimits</c> section.</summary>
internal sealed class RateLimitOptions
{
    public const string Section = "Switchboard:RateLimits";

    /// <summary>Off: no limit anywhere (for a benchmark run above the defaults).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How many nodes serve behind the load balancer (ADR 0056): each enforces 1/<see cref="Nodes"/> of every limit below, so
    /// that a caller spread over all nodes still meets the whole limit and no more. Below 1 counts as 1.
    /// </summary>
    public int Nodes { get; set; } = 1;

    /// <summary>
    /// Per API token (or operator, user, or address when anonymous) on <c>/api</c>. The load test queues
    /// 1,000 replies from 16 workers at once; the burst covers that twice over.
    /// </summary>
    public TokenBucketLimit Api { get; set; } = new() { PermitsPerSecond = 100, Burst = 2_000 };

    /// <summary>
    /// Per tenant on the webhook URLs (the platform URL is one partition). The measured durable ceiling of
    /// one node is about 8,300 webhooks/s on PostgreSQL, so the default never binds on one node; it stops
    /// one tenant's flood from taking a cluster's whole write capacity.
    /// </summary>
    public TokenBucketLimit Webhooks { get; set; } = new() { PermitsPerSecond = 20_000, Burst = 40_000 };

    /// <summary>Per client address on <see cref="RateLimits.Login"/> endpoints.</summary>
    public WindowLimit Login { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Per account (normalized email), through <see cref="LoginThrottle"/>.</summary>
    public WindowLimit LoginPerAccount { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(15) };
}

/// <summary>A token bucket: <see cref="PermitsPerSecond"/> sustained, up to <see cref="Burst"/> at once; 0 turns it off.</summary>
internal sealed class TokenBucketLimit
{
    public int PermitsPerSecond { get; set; }

    public int Burst { get; set; }

    /// <summary>
    /// This node's share of the bucket when <paramref name="nodes"/> serve: refills every 100 ms (the partitioned limiter's tick) or,
    /// below 10/s, one token at a time; shares round down (a burst of at least one).
    /// </summary>
    public TokenBucketRateLimiterOptions ToTokenBucket(int nodes = 1)
    {
        nodes = Math.Max(1, nodes);
        var perSecond = (double)PermitsPerSecond / nodes;
        var (period, tokens) = perSecond >= 10
            ? (TimeSpan.FromMilliseconds(100), (int)(perSecond / 10))
            : (TimeSpan.FromSeconds(1.0 / perSecond), 1);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(Math.Max(1, Burst / nodes), tokens),
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = false,
        };
    }
}

/// <summary>A fixed window: <see cref="PermitLimit"/> per <see cref="Window"/>; 0 turns it off.</summary>
internal sealed class WindowLimit
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }

    /// <summary>This node's share of the window when <paramref name="nodes"/> serve, rounded down (at least one).</summary>
    public FixedWindowRateLimiterOptions ToFixedWindow(int nodes = 1) => new()
    {
        PermitLimit = Math.Max(1, PermitLimit / Math.Max(1, nodes)),
        Window = Window,
        QueueLimit = 0,
        AutoReplenishment = false,
    };
}

/// <summary>
/// Sign-in attempts per account, whatever the client's address: a slow password spray from many
/// addresses still meets this limit. Identity's lockout counts only failures of an existing user; this
/// counts every attempt, for known and unknown emails alike, so it reveals nothing about who exists.
/// </summary>
internal sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter;

    public LoginThrottle(IOptions<RateLimitOptions> options)
    {
        var limits = options.Value;
        limiter = PartitionedRateLimiter.Create<string, string>(email => limits.Enabled && limits.LoginPerAccount.PermitLimit > 0
            ? RateLimitPartition.GetFixedWindowLimiter(email, _ => limits.LoginPerAccount.ToFixedWindow(limits.Nodes))
            : RateLimitPartition.GetNoLimiter(""));
    }

    public readonly record struct Decision(bool Allowed, TimeSpan RetryAfter);

    public Decision Attempt(string email)
    {
        using var lease = limiter.AttemptAcquire(Normalize(email));
        return lease.IsAcquired
            ? new Decision(true, TimeSpan.Zero)
            : new Decision(false, lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1));
    }

    public void Dispose() => limiter.Dispose();

    private static string Normalize(string email) => email.Trim().ToUpperInvariant();
}
