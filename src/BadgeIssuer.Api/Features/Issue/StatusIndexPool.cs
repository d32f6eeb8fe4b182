using System.Collections.Concurrent;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Issue;

/// <summary>
/// Hands out status-list indexes from blocks reserved in the database (one write per block, not per credential).
/// The database allocates every index of a block atomically and at random, so indexes stay unique across
/// instances; an index reserved and never used (the process stops) is simply left unused.
/// </summary>
internal sealed class StatusIndexPool(IBadgeStorage storage, IOptions<BadgeIssuerOptions> options)
{
    private readonly ConcurrentDictionary<(string Issuer, string Purpose), Pool> _pools = new();

    public async Task<StatusListIndex> TakeAsync(string issuerId, string purpose, CancellationToken cancellationToken)
    {
        Pool pool = _pools.GetOrAdd((issuerId, purpose), _ => new Pool());
        if (pool.Queue.TryDequeue(out StatusListIndex? index))
        {
            return index;
        }

        await pool.Refill.WaitAsync(cancellationToken);
        try
        {
            while (!pool.Queue.TryDequeue(out index))
            {
                BadgeIssuerOptions o = options.Value;
                IReadOnlyList<StatusListIndex> block = await storage.StatusLists.AllocateIndexesAsync(
                    new StatusAllocationRequest(issuerId, purpose, 1, o.StatusListLength), o.StatusIndexBlock, cancellationToken);
                foreach (StatusListIndex reserved in block)
                {
                    pool.Queue.Enqueue(reserved);
                }
            }

            return index;
        }
        finally
        {
            pool.Refill.Release();
        }
    }

    private sealed class Pool
    {
        public ConcurrentQueue<StatusListIndex> Queue { get; } = new();
        public SemaphoreSlim Refill { get; } = new(1, 1);
    }
}
