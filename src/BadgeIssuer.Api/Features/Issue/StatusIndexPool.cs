using System.Collections.Concurrent;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Issue;

/// <summary>
/// Hands out status-list indexes from blocks reserved in the database (one write per block, not per credential).
/// The database allocates every index of a block atomically and at random, so indexes stay unique across
/// instances; an index reserved and never used (the process stops) is simply left unused. The next block is
/// reserved in the background once a pool runs low, so issuance rarely waits for the database.
/// </summary>
internal sealed class StatusIndexPool(IBadgeStorage storage, IOptions<BadgeIssuerOptions> options)
{
    private readonly ConcurrentDictionary<(string Issuer, string Purpose), Pool> _pools = new();

    public async Task<StatusListIndex> TakeAsync(string issuerId, string purpose, CancellationToken cancellationToken)
    {
        Pool pool = _pools.GetOrAdd((issuerId, purpose), _ => new Pool());
        int block = options.Value.StatusIndexBlock;
        if (pool.Queue.TryDequeue(out StatusListIndex? index))
        {
            if (pool.Queue.Count < block / 4 && pool.Refill.CurrentCount > 0)
            {
                _ = RefillInBackgroundAsync(pool, issuerId, purpose);
            }

            return index;
        }

        await pool.Refill.WaitAsync(cancellationToken);
        try
        {
            while (!pool.Queue.TryDequeue(out index))
            {
                await ReserveBlockAsync(pool, issuerId, purpose, cancellationToken);
            }

            return index;
        }
        finally
        {
            pool.Refill.Release();
        }
    }

    private async Task RefillInBackgroundAsync(Pool pool, string issuerId, string purpose)
    {
        if (!await pool.Refill.WaitAsync(0))
        {
            return;
        }

        try
        {
            if (pool.Queue.Count < options.Value.StatusIndexBlock / 4)
            {
                await ReserveBlockAsync(pool, issuerId, purpose, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException or IOException or TimeoutException)
        {
            // A failed prefetch is retried by the next caller that finds the pool empty, which then sees the error.
        }
        finally
        {
            pool.Refill.Release();
        }
    }

    private async Task ReserveBlockAsync(Pool pool, string issuerId, string purpose, CancellationToken cancellationToken)
    {
        BadgeIssuerOptions o = options.Value;
        IReadOnlyList<StatusListIndex> reserved = await storage.StatusLists.AllocateIndexesAsync(
            new StatusAllocationRequest(issuerId, purpose, 1, o.StatusListLength), o.StatusIndexBlock, cancellationToken);
        foreach (StatusListIndex index in reserved)
        {
            pool.Queue.Enqueue(index);
        }
    }

    private sealed class Pool
    {
        public ConcurrentQueue<StatusListIndex> Queue { get; } = new();
        public SemaphoreSlim Refill { get; } = new(1, 1);
    }
}
