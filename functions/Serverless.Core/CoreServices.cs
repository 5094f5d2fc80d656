using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Common;
using Serverless.Core.Dispatch;
using Serverless.Core.Organizations;
using Serverless.Core.Procurement;
using Serverless.Core.Ventures;

namespace Serverless.Core;

public static class CoreServices
{
    /// <summary>Everything the core's handlers, activities and jobs take from DI. Both hosts call this.</summary>
    public static IServiceCollection AddServerlessCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Storage>();
        services.AddSingleton<MembershipStore>();
        services.AddSingleton<OrganizationStore>();
        services.AddSingleton<RoundStore>();
        services.AddSingleton<ApplicationStore>();
        services.AddSingleton<RoundClosing>();
        services.AddSingleton<ReviewStore>();
        services.AddSingleton<ResultStore>();
        services.AddSingleton<ObjectionStore>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<FormProtection>();
        services.AddSingleton(sp => EventPublishers.Create(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()));
        services.AddSingleton<OutboxRelay>();
        services.AddSingleton<RoundStages>();
        services.AddSingleton<GrantStore>();
        services.AddSingleton<GrantLifecycle>();
        services.AddSingleton<TenderStore>();
        services.AddSingleton<BidStore>();
        services.AddSingleton<QuestionStore>();
        services.AddSingleton<BidSealing>();
        services.AddSingleton<TenderOpening>();
        services.AddSingleton<EvaluationStore>();
        services.AddSingleton<TenderEvaluation>();
        services.AddSingleton<AwardStore>();
        services.AddSingleton<Awarding>();
        services.AddSingleton<ContractStore>();
        services.AddSingleton<PerformanceStore>();
        services.AddSingleton<ContractLifecycle>();
        services.AddSingleton<OcdsExport>();
        services.AddSingleton<VolunteerStore>();
        services.AddSingleton<RequestStore>();
        services.AddSingleton<HoursLedger>();
        services.AddSingleton<DispatchOptions>();
        services.AddSingleton<Dispatching>();
        services.AddSingleton<PairingStore>();
        return services;
    }
}
