using Azure;
using Azure.Data.Tables;
using Serverless.Core.Common;

namespace Serverless.Core.Procurement;

/// <summary>An enquiry (答疑) about a tender. Answers are published to every bidder; the asker stays unnamed.</summary>
public sealed record Question(string Id, string TenderId, string Text, string AskedBy, DateTimeOffset AskedAt,
    string? Answer = null, DateTimeOffset? AnsweredAt = null, string? AnsweredBy = null)
{
    public PublicQuestion Public() => new(Id, Text, Answer, AnsweredAt);
}

public sealed record PublicQuestion(string Id, string Text, string? Answer, DateTimeOffset? AnsweredAt);

public sealed record QuestionForm(string? Text);

public sealed record AnswerForm(string? Answer);

public sealed class QuestionStore(Storage storage)
{
    public const string Aggregate = "questions";

    public static (string Table, string Partition, string Row) Locate(string tenderId, string id) => (TableNames.Questions, tenderId, id);

    public async Task<(Question Question, ETag ETag)?> FindAsync(string tenderId, string id, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Questions, cancellation);
        return await table.FindDocumentAsync<Question>(tenderId, id, cancellation);
    }

    public async Task<List<Question>> ListAsync(string tenderId, CancellationToken cancellation = default)
    {
        var table = await storage.TableAsync(TableNames.Questions, cancellation);
        var questions = await table.ListDocumentsAsync<Question>(TableClient.CreateQueryFilter($"PartitionKey eq {tenderId}"), cancellation);
        return questions.OrderBy(q => q.AskedAt).ToList();
    }

    public async Task<bool> TryAddAsync(Question question, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        var table = await storage.TableAsync(TableNames.Questions, cancellation);
        return await table.TryAddAuditedAsync(Aggregate, question.Id, Documents.ToEntity(question.TenderId, question.Id, question), cancellation);
    }

    public async Task UpdateAsync(Question question, ETag etag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        var table = await storage.TableAsync(TableNames.Questions, cancellation);
        await table.UpdateAuditedAsync(Aggregate, question.Id, Documents.ToEntity(question.TenderId, question.Id, question), etag, cancellation);
    }
}
