using Switchboard.Features.Knowledge;
using Switchboard.Features.Outbound;

namespace Switchboard.Features.Flows;

/// <summary>
/// How a session moves through a flow's nodes (ADR 0029, 0041): answers, timeouts, the next question or wait,
/// hand-off. The effects (sending, transferring, contact attributes, labels, conditions) are left to the
/// subclass: the live run writes them through the ledger, the test console's dry run only records them, so
/// both walk the same code.
/// </summary>
internal abstract class FlowWalk(FlowSession s, DateTimeOffset now)
{
    public const int MaxInvalidAnswers = 3;
    private const int MaxStepsPerRun = 50;

    private int steps;

    protected FlowSession Session => s;

    protected DateTimeOffset Now => now;

    protected FlowDocument Doc { get; set; } = null!;

    /// <summary>The node ids this run stood on, in order (a node met twice appears twice).</summary>
    public List<string> Path { get; } = [];

    /// <summary>Sends as the bot; false (and the session ends) when the send is refused.</summary>
    protected abstract Task<bool> SendAsync(SendRequest request, bool stopOnRefusal = true);

    protected abstract Task TransferAsync(Guid teamId);

    protected abstract Task<bool> SetAttributeAsync(string attribute, string? value);

    protected abstract Task AddLabelAsync(string label);

    protected abstract Task<bool> HoldsAsync(FlowCondition condition);

    /// <summary>The published article that best answers the question, with the share of its terms the article holds (ADR 0045).</summary>
    protected abstract Task<(KnowledgeHit Hit, double Match)?> SearchKnowledgeAsync(string? question);

    /// <summary>The customer's last typed text this run read (a knowledge node searches with it).</summary>
    protected string? LastText { get; set; }

    /// <summary>Gives the conversation to people (a note with the transcript when asked, the number's default team).</summary>
    protected abstract Task HandOverAsync(bool transcript);

    public async Task AnswerAsync(FlowInput input)
    {
        if (input.ReplyId is null && !string.IsNullOrWhiteSpace(input.Text))
        {
            LastText = input.Text;
        }

        if (input.Says(Doc.Handoff))
        {
            await HandOffAsync("keyword", transcript: false);
            return;
        }

        var node = Doc.Node(s.NodeId);
        switch (node?.Type)
        {
            case "buttons" or "list":
                if (input.Picks((node.Type == "buttons" ? node.Buttons : node.Rows) ?? []) is { } choice)
                {
                    await ContinueAsync(choice.Next);
                }
                else
                {
                    await InvalidAsync(node, "Please choose one of the options.");
                }

                break;
            case "ask":
                if (input.Answer(node.Validation, node.Pattern) is { } answer && (node.Attribute is null || await SetAttributeAsync(node.Attribute, answer)))
                {
                    await ContinueAsync(node.Next);
                }
                else
                {
                    await InvalidAsync(node, "Sorry, that answer does not fit. Please try again.");
                }

                break;
        }
    }

    public async Task TimeoutAsync()
    {
        var node = Doc.Node(s.NodeId);
        s.WaitUntil = null;
        if (node?.Type == "wait")
        {
            await RunFromAsync(node.Next);
        }
        else if (node?.Timeout is { } target)
        {
            await RunFromAsync(target);
        }
        else
        {
            End(s, "timeout");
        }
    }

    public async Task RunFromAsync(string? id)
    {
        while (true)
        {
            if (++steps > MaxStepsPerRun)
            {
                await HandOffAsync("loop", transcript: false);
                return;
            }

            if (Doc.Node(id) is not { } node)
            {
                End(s, "completed");
                return;
            }

            s.NodeId = node.Id;
            Path.Add(node.Id!);
            switch (node.Type)
            {
                case "text" or "media":
                    if (!await SendAsync(Prompt(node)))
                    {
                        return;
                    }

                    id = node.Next;
                    break;
                case "buttons" or "list" or "ask":
                    if (await SendAsync(Prompt(node)) && node.TimeoutSeconds is { } timeout)
                    {
                        s.WaitUntil = now.AddSeconds(timeout);
                    }

                    return;
                case "condition":
                    id = await HoldsAsync(node.Condition!) ? node.Then : node.Else;
                    break;
                case "set_attribute":
                    await SetAttributeAsync(node.Attribute!, node.Value);
                    id = node.Next;
                    break;
                case "add_label":
                    await AddLabelAsync(node.Label!);
                    id = node.Next;
                    break;
                case "route":
                    if (node.Text is null || await SendAsync(Text(node.Text)))
                    {
                        await TransferAsync(node.TeamId!.Value);
                        End(s, "routed");
                    }

                    return;
                case "handoff":
                    if (node.Text is null || await SendAsync(Text(node.Text)))
                    {
                        await HandOffAsync("handoff", transcript: false);
                    }

                    return;
                case "knowledge":
                    if (await SearchKnowledgeAsync(LastText) is { } found && found.Match >= (node.MinMatch ?? FlowValidation.DefaultMinMatch))
                    {
                        if (!await SendAsync(Text(Answer(found.Hit))))
                        {
                            return;
                        }

                        id = node.Next;
                    }
                    else
                    {
                        id = node.NoAnswer;
                    }

                    break;
                case "wait":
                    s.WaitUntil = now.AddSeconds(node.Seconds ?? 1);
                    return;
                default:
                    End(s, "completed");
                    return;
            }
        }
    }

    private Task ContinueAsync(string? next)
    {
        s.InvalidAnswers = 0;
        s.WaitUntil = null;
        return RunFromAsync(next);
    }

    private async Task InvalidAsync(FlowNode node, string fallback)
    {
        if (++s.InvalidAnswers >= MaxInvalidAnswers)
        {
            await HandOffAsync("invalid_answers", transcript: true);
            return;
        }

        if (await SendAsync(Text(node.Error ?? fallback)))
        {
            await SendAsync(Prompt(node));
        }
    }

    private async Task HandOffAsync(string reason, bool transcript)
    {
        await HandOverAsync(transcript);
        if (s.State != FlowSessionState.Ended)
        {
            End(s, reason);
        }
    }

    public static void End(FlowSession s, string reason)
    {
        s.State = FlowSessionState.Ended;
        s.EndReason = reason;
        s.WaitUntil = null;
    }

    /// <summary>A knowledge node's answer: the article's title, the passage that matched and the link to its public page.</summary>
    public static string Answer(KnowledgeHit hit) => $"{hit.Title}\n\n{hit.Snippet}\n\n{hit.Url}";

    public static SendRequest Text(string text) => new("text", text, null, null, null, null, null, null, null, null);

    /// <summary>The WhatsApp message a node sends (the dashboard's preview shows the same).</summary>
    public static SendRequest Prompt(FlowNode node) => node.Type switch
    {
        "buttons" => new("buttons", node.Text, null, null, null, null, node.Header, node.Footer, [.. (node.Buttons ?? []).Select(b => new SendButton(b.Id, b.Title))], null),
        "list" => new("list", node.Text, null, null, null, null, node.Header, node.Footer, null,
            new SendList(node.Button, [new SendListSection(null, [.. (node.Rows ?? []).Select(row => new SendListRow(row.Id, row.Title, row.Description))])])),
        "media" => new(node.MediaType, string.IsNullOrEmpty(node.Text) ? null : node.Text, null, null, new SendMedia(node.Media?.Data, node.Media?.MimeType, node.Media?.FileName), null, null, null, null, null),
        _ => Text(node.Text ?? ""),
    };
}
