using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;
using Switchboard.Hosting;

namespace Switchboard.Features.Identity;

public static class IdentityFeature
{
    /// <summary>Chooses between the bearer token and the dashboard cookie for each request.</summary>
    internal const string AutoScheme = "Switchboard.Auto";

    public static IServiceCollection AddIdentityAccess(this IServiceCollection services, SwitchboardOptions options, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton(_ => OperatorKey.Load(options));
        services.AddSharedDataProtection();
        services.AddMemoryCache();
        services.AddSingleton<SessionValidator>();
        services.AddSingleton<Invitations>();
        services.AddHttpContextAccessor();
        services.AddScoped<SignInFlow>();
        services.AddScoped<Mfa>();
        services.AddScoped<Reauthentication>();
        services.AddScoped<InviteAcceptance>();
        services.AddScoped<PasswordChange>();
        services.AddSingleton<AccessRevalidator>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingAuthenticationStateProvider>();

        services.AddIdentityCore<SwitchboardUser>(o =>
            {
                // Length over composition rules (NIST SP 800-63B): at least 12 characters, nothing else forced.
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.User.RequireUniqueEmail = true;
            })
            .AddUserStore<SwitchboardUserStore>()
            .AddTokenProvider<AuthenticatorTokenProvider<SwitchboardUser>>(TokenOptions.DefaultAuthenticatorProvider);

        // PBKDF2-HMAC-SHA512 (Identity v3 format); 100,000 iterations is the floor this product promises.
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = Math.Max(100_000, o.IterationCount));

        var secure = SwitchboardEnvironment.SecureCookies(options, environment, configuration);

        services.AddAuthentication(AutoScheme)
            .AddPolicyScheme(AutoScheme, "Token or session", o => o.ForwardDefaultSelector = SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerKeyAuthenticationHandler>(SwitchboardClaims.Scheme, null)
            .AddCookie(SwitchboardClaims.CookieScheme, o =>
            {
                ConfigureCookie(o, "switchboard", SameSiteMode.Lax, TimeSpan.FromHours(12), secure);
                o.SlidingExpiration = true;
                o.LogoutPath = "/account/logout";
                o.AccessDeniedPath = "/account/denied";
                o.ReturnUrlParameter = "returnUrl";
                o.Events.OnValidatePrincipal = context => context.HttpContext.RequestServices.GetRequiredService<SessionValidator>().ValidateAsync(context);

                // The API answers with problem details, never with a redirect to the login form.
                o.Events.OnRedirectToLogin = context => context.Request.Path.StartsWithSegments("/api")
                    ? context.HttpContext.ChallengeAsync(SwitchboardClaims.Scheme)
                    : RedirectAsync(context);
                o.Events.OnRedirectToAccessDenied = context => context.Request.Path.StartsWithSegments("/api")
                    ? context.HttpContext.ForbidAsync(SwitchboardClaims.Scheme)
                    : OperatorHomeOrDenied(context);
            })
            .AddCookie(SwitchboardClaims.PartialScheme, o =>
            {
                ConfigureCookie(o, "switchboard-signin", SameSiteMode.Strict, TimeSpan.FromMinutes(10), secure);
                o.SlidingExpiration = false;
            });
        return services;
    }

    /// <summary>HttpOnly, path /, and when secure the <c>__Host-</c> prefix with Secure; only the name, SameSite and lifetime differ.</summary>
    private static void ConfigureCookie(CookieAuthenticationOptions o, string name, SameSiteMode sameSite, TimeSpan lifetime, bool secure)
    {
        o.Cookie.Name = secure ? "__Host-" + name : name;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = sameSite;
        o.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        o.Cookie.Path = "/";
        o.ExpireTimeSpan = lifetime;
        o.LoginPath = "/account/login";
    }

    /// <summary>A platform operator outside any tenant who lands on the dashboard's home goes to the operator pages, not to "Not allowed".</summary>
    private static Task OperatorHomeOrDenied(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (context.Request.Path == "/" && context.HttpContext.User.IsOperator() && context.HttpContext.User.TenantIdOf() is null)
        {
            context.Response.Redirect("/operator/tenants");
            return Task.CompletedTask;
        }

        return RedirectAsync(context);
    }

    private static Task RedirectAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A bearer header always means the token handler. Without one, the session cookie authenticates the
    /// dashboard and API reads; API writes need a token (the dashboard writes in-process), so a cookie can
    /// never be ridden across sites into a state change.
    /// </summary>
    private static string SelectScheme(HttpContext context)
    {
        if (context.Request.Headers.Authorization.Count > 0)
        {
            return SwitchboardClaims.Scheme;
        }

        var isApi = context.Request.Path.StartsWithSegments("/api");
        var isRead = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        return isApi && !isRead ? SwitchboardClaims.Scheme : SwitchboardClaims.CookieScheme;
    }

    /// <summary>
    /// The dashboard's sign-out form. The antiforgery middleware only records whether the token was valid
    /// (minimal APIs enforce it for form binding, which this endpoint has none of), so the check is here:
    /// without a valid token another site could sign people out.
    /// </summary>
    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> LogoutAsync(SignInFlow flow, HttpContext http)
    {
        if (http.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true })
        {
            return TypedResults.Problem(title: "The sign-out form's antiforgery token is missing or not valid.", statusCode: StatusCodes.Status400BadRequest, type: Problems.ValidationType);
        }

        await flow.SignOutAsync();
        return TypedResults.Redirect("/account/login");
    }

    public static IEndpointRouteBuilder MapIdentity(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/v1/tenants/{tenantId:guid}").WithTags("Access");
        tenant.MapPost("/tokens", CreateToken.HandleAsync).WithName("CreateToken").RequireAuthorization(TenantPolicies.Member(Permissions.TokensAdmin));
        tenant.MapGet("/tokens", ListTokens.HandleAsync).WithName("ListTokens").RequireAuthorization(TenantPolicies.Member(Permissions.TokensAdmin));
        tenant.MapDelete("/tokens/{tokenId:guid}", RevokeToken.HandleAsync).WithName("RevokeToken").RequireAuthorization(TenantPolicies.Member(Permissions.TokensAdmin));
        tenant.MapPost("/me/tokens", CreatePersonalToken.HandleAsync).WithName("CreatePersonalToken").RequireAuthorization(TenantPolicies.Member(Permissions.TenantRead));
        tenant.MapGet("/me/tokens", ListPersonalTokens.HandleAsync).WithName("ListPersonalTokens").RequireAuthorization(TenantPolicies.Member(Permissions.TenantRead));
        tenant.MapDelete("/me/tokens/{tokenId:guid}", RevokePersonalToken.HandleAsync).WithName("RevokePersonalToken").RequireAuthorization(TenantPolicies.Member(Permissions.TenantRead));
        tenant.MapPost("/me/password", PasswordChange.HandleAsync).WithName("ChangePassword").RequireAuthorization(TenantPolicies.Member(Permissions.TenantRead));

        tenant.MapGet("/users", ListUsers.HandleAsync).WithName("ListUsers").RequireAuthorization(TenantPolicies.Member(Permissions.UsersRead));
        tenant.MapPut("/users/{userId:guid}/role", ChangeRole.HandleAsync).WithName("ChangeUserRole").RequireAuthorization(TenantPolicies.Member(Permissions.UsersAdmin));
        tenant.MapPost("/users/{userId:guid}/disable", SetUserStatus.DisableAsync).WithName("DisableUser").RequireAuthorization(TenantPolicies.Member(Permissions.UsersAdmin));
        tenant.MapPost("/users/{userId:guid}/enable", SetUserStatus.EnableAsync).WithName("EnableUser").RequireAuthorization(TenantPolicies.Member(Permissions.UsersAdmin));
        tenant.MapDelete("/users/{userId:guid}", DeleteUser.HandleAsync).WithName("DeleteUser").RequireAuthorization(TenantPolicies.Member(Permissions.UsersAdmin));
        tenant.MapPost("/invites", InviteUser.HandleAsync).WithName("InviteUser").RequireAuthorization(TenantPolicies.Member(Permissions.UsersAdmin));
        tenant.MapGet("/invites", ListInvites.HandleAsync).WithName("ListInvites").RequireAuthorization(TenantPolicies.Member(Permissions.UsersAdmin));
        tenant.MapDelete("/invites/{inviteId:guid}", RevokeInvite.HandleAsync).WithName("RevokeInvite").RequireAuthorization(TenantPolicies.Member(Permissions.UsersAdmin));

        tenant.MapGet("/settings", GetSettings.HandleAsync).WithName("GetSettings").RequireAuthorization(TenantPolicies.MemberOrOperator(Permissions.TenantRead));
        tenant.MapPut("/settings", UpdateSettings.HandleAsync).WithName("UpdateSettings").RequireAuthorization(TenantPolicies.Member(Permissions.SettingsAdmin));

        routes.MapPost("/account/logout", LogoutAsync)
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .AllowAnonymous()
            .ExcludeFromDescription();

        routes.MapPost("/api/v1/invites/accept", AcceptInviteApi.HandleAsync).WithTags("Access").WithName("AcceptInvite").AllowAnonymous().RequireRateLimiting(RateLimits.Login);
        return routes;
    }
}
