using System.Net;
using System.Text.RegularExpressions;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// A browser-like client of the dashboard's server-rendered forms: it keeps cookies, does not follow
/// redirects (so tests see them), and posts forms with their antiforgery token, as a browser would.
/// </summary>
public sealed partial class DashboardClient : IDisposable
{
    private readonly HttpClient http;

    public DashboardClient(SwitchboardApp app, Uri? baseAddress = null)
    {
        Cookies = new CookieContainer();
        http = app.CreateDefaultClient(baseAddress ?? new Uri("http://localhost"), new CookieHandler(Cookies));
    }

    public CookieContainer Cookies { get; }

    public HttpClient Http => http;

    public Task<HttpResponseMessage> GetAsync(string path) => http.GetAsync(path);

    /// <summary>Loads <paramref name="path"/>, then submits the form named <paramref name="formName"/> with <paramref name="fields"/>.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string path, string formName, IDictionary<string, string> fields)
    {
        var page = await http.GetStringAsync(path);
        var token = AntiforgeryToken().Match(page);
        if (!token.Success)
        {
            throw new InvalidOperationException($"No antiforgery token on {path}.");
        }

        var form = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        };
        return await http.PostAsync(path, new FormUrlEncodedContent(form));
    }

    /// <summary>Signs in with email and password; returns the response of the login post (a redirect on success).</summary>
    public Task<HttpResponseMessage> LoginAsync(string email, string password, string? returnUrl = null) =>
        SubmitAsync("/account/login" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl)), "login",
            new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    public Task<HttpResponseMessage> SubmitCodeAsync(string code) =>
        SubmitAsync("/account/mfa", "mfa", new Dictionary<string, string> { ["Input.Code"] = code });

    /// <summary>True when a signed-in page renders (not a redirect to the login form).</summary>
    public async Task<bool> IsSignedInAsync()
    {
        using var response = await http.GetAsync("/account/security");
        return response.StatusCode == HttpStatusCode.OK;
    }

    public void Dispose() => http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    private sealed class CookieHandler(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0)
            {
                request.Headers.Remove("Cookie");
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    cookies.SetCookies(request.RequestUri!, setCookie);
                }
            }

            return response;
        }
    }
}
