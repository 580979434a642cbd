using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Switchboard.LoadTest;

/// <summary>A fresh tenant with numbers, made through the public API like any operator would.</summary>
internal sealed record Provisioned(Guid TenantId, string ApiKey, IReadOnlyList<string> PhoneNumberIds, string AppSecret)
{
    /// <summary>
    /// The tenant saved in <paramref name="file"/> by an earlier run (so that a measured run finds the
    /// customers and conversations a warm-up run created, as a server in steady state would), or a fresh one, saved there.
    /// </summary>
    public static async Task<Provisioned> LoadOrCreateAsync(HttpClient http, string operatorKey, int numbers, string? file)
    {
        if (file is not null && File.Exists(file))
        {
            return System.Text.Json.JsonSerializer.Deserialize<Provisioned>(await File.ReadAllTextAsync(file))!;
        }

        var tenant = await CreateAsync(http, operatorKey, numbers);
        if (file is not null)
        {
            await File.WriteAllTextAsync(file, System.Text.Json.JsonSerializer.Serialize(tenant));
        }

        return tenant;
    }

    public static async Task<Provisioned> CreateAsync(HttpClient http, string operatorKey, int numbers)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tenants") { Content = JsonContent.Create(new { name = "Load test " + DateTime.UtcNow.ToString("s") }) };
        create.Headers.Authorization = new("Bearer", operatorKey);
        var tenant = await Read(await http.SendAsync(create));
        var tenantId = tenant["id"]!.GetValue<Guid>();
        var apiKey = tenant["apiKey"]!.GetValue<string>();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var phones = new List<string>();
        for (var i = 0; i < numbers; i++)
        {
            var phone = RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture) + "000" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
            using var channel = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenantId}/channels")
            {
                Content = JsonContent.Create(new { phoneNumberId = phone, wabaId = "100000000000002", displayPhoneNumber = "+1 555 010 0001", appId = "100000000000003", appSecret = secret, accessToken = "load-test-token", verifyToken = "load-test" }),
            };
            channel.Headers.Authorization = new("Bearer", apiKey);
            await Read(await http.SendAsync(channel));
            phones.Add(phone);
        }

        return new Provisioned(tenantId, apiKey, phones, secret);
    }

    private static async Task<JsonObject> Read(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(body)!.AsObject()
            : throw new InvalidOperationException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {body}");
    }
}
