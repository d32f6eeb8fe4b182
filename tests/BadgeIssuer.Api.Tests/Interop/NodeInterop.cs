using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BadgeIssuer.Api.Tests.Interop;

/// <summary>
/// Runs <c>tests/interop/verify.mjs</c> (the JavaScript reference stack: @digitalbazaar/vc, data-integrity,
/// eddsa-rdfc-2022, vc-bitstring-status-list, jose) over credentials produced here, offline, and
/// <c>tests/interop/sign.mjs</c> (the same stack plus ed25519-signature-2020) to issue credentials that are
/// verified here. The first call
/// installs <c>tests/interop/node_modules</c> with <c>npm ci</c> from the committed lockfile (once per process,
/// guarded across processes by a lock file; skipped when a marker says this lockfile is already installed).
/// Missing <c>node</c>/<c>npm</c> is an error, never a skip.
/// </summary>
public static class NodeInterop
{
    /// <summary>Limit for one <c>node verify.mjs</c> or <c>node sign.mjs</c> run.</summary>
    public static readonly TimeSpan VerifyTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Limit for <c>npm ci</c>.</summary>
    public static readonly TimeSpan InstallTimeout = TimeSpan.FromSeconds(300);

    /// <summary>Set to 1 to keep each job's temp folder (its path is printed in failure messages).</summary>
    public const string KeepFilesVariable = "BADGEISSUER_INTEROP_KEEP";

    private const string MarkerName = ".badgeissuer-npm-ci";
    private const int MinimumNodeMajor = 20;

    private static readonly SemaphoreSlim s_installGate = new(1, 1);
    private static bool s_installed;

    /// <summary>The repository root (the folder holding BadgeIssuer.sln), found from the test binaries upwards.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>tests/interop</c>.</summary>
    public static string InteropDirectory => Path.Combine(RepoRoot, "tests", "interop");

    /// <summary>Writes the job to a temp folder, runs <c>node verify.mjs</c> and returns one result per item, in order.</summary>
    public static async Task<IReadOnlyList<InteropResult>> VerifyAsync(InteropJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Items.Count == 0)
        {
            throw new ArgumentException("The job has no items.", nameof(job));
        }

        await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);

        DirectoryInfo folder = Directory.CreateTempSubdirectory("badgeissuer-interop-");
        bool keep = string.Equals(Environment.GetEnvironmentVariable(KeepFilesVariable), "1", StringComparison.Ordinal);
        try
        {
            string jobPath = job.WriteTo(folder.FullName);
            ProcessOutcome run = await RunAsync(
                "node", ["verify.mjs", jobPath], InteropDirectory, VerifyTimeout, cancellationToken).ConfigureAwait(false);
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"node verify.mjs exited with {run.ExitCode.ToString(CultureInfo.InvariantCulture)} (job {jobPath}).\nstderr:\n{run.StandardError}\nstdout:\n{run.StandardOutput}");
            }

            IReadOnlyList<InteropResult> results = InteropResult.ParseAll(run.StandardOutput);
            if (results.Count != job.Items.Count)
            {
                throw new InvalidOperationException(
                    $"verify.mjs returned {results.Count.ToString(CultureInfo.InvariantCulture)} results for {job.Items.Count.ToString(CultureInfo.InvariantCulture)} items:\n{run.StandardOutput}");
            }

            return results;
        }
        finally
        {
            if (!keep)
            {
                folder.Delete(recursive: true);
            }
        }
    }

    /// <summary>
    /// Writes the job to a temp folder and runs <c>node sign.mjs</c>: the JavaScript stack issues each item
    /// (offline, keys derived from the job's seed) and verifies its own output; returns what it signed.
    /// </summary>
    public static async Task<InteropSignOutput> SignAsync(InteropSignJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Items.Count == 0)
        {
            throw new ArgumentException("The job has no items.", nameof(job));
        }

        await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);

        DirectoryInfo folder = Directory.CreateTempSubdirectory("badgeissuer-interop-sign-");
        bool keep = string.Equals(Environment.GetEnvironmentVariable(KeepFilesVariable), "1", StringComparison.Ordinal);
        try
        {
            string jobPath = job.WriteTo(folder.FullName);
            ProcessOutcome run = await RunAsync(
                "node", ["sign.mjs", jobPath], InteropDirectory, VerifyTimeout, cancellationToken).ConfigureAwait(false);
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"node sign.mjs exited with {run.ExitCode.ToString(CultureInfo.InvariantCulture)} (job {jobPath}).\nstderr:\n{run.StandardError}\nstdout:\n{run.StandardOutput}");
            }

            InteropSignOutput output = InteropSignOutput.Parse(run.StandardOutput);
            if (output.Items.Count != job.Items.Count)
            {
                throw new InvalidOperationException(
                    $"sign.mjs returned {output.Items.Count.ToString(CultureInfo.InvariantCulture)} credentials for {job.Items.Count.ToString(CultureInfo.InvariantCulture)} items:\n{run.StandardOutput}");
            }

            return output;
        }
        finally
        {
            if (!keep)
            {
                folder.Delete(recursive: true);
            }
        }
    }

    /// <summary>
    /// Runs <c>tests/interop/wallet.mjs</c> (an OpenID4VCI wallet built on @openid4vc/openid4vci) with <paramref name="job"/>
    /// against a service on https whose certificate <paramref name="certificatePem"/> node is told to trust
    /// (<c>NODE_EXTRA_CA_CERTS</c>); returns its output, or throws with its stderr.
    /// </summary>
    public static Task<JsonElement> RunWalletAsync(object job, string certificatePem, CancellationToken cancellationToken) =>
        RunHttpsClientAsync("wallet.mjs", job, certificatePem, cancellationToken);

    /// <summary>
    /// Runs <c>tests/interop/{script}</c>, a client of a service on https, with <paramref name="job"/> and the service's
    /// certificate as Node's extra CA; returns what the script printed (one JSON object).
    /// </summary>
    public static async Task<JsonElement> RunHttpsClientAsync(string script, object job, string certificatePem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);
        DirectoryInfo folder = Directory.CreateTempSubdirectory("badgeissuer-interop-client-");
        try
        {
            string jobPath = Path.Combine(folder.FullName, "job.json");
            string certPath = Path.Combine(folder.FullName, "ca.pem");
            await File.WriteAllTextAsync(jobPath, JsonSerializer.Serialize(job), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(certPath, certificatePem, cancellationToken).ConfigureAwait(false);
            ProcessOutcome run = await RunAsync("node", [script, jobPath], InteropDirectory, VerifyTimeout, cancellationToken,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["NODE_EXTRA_CA_CERTS"] = certPath }).ConfigureAwait(false);
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"node {script} exited with {run.ExitCode.ToString(CultureInfo.InvariantCulture)}.\nstderr:\n{run.StandardError}\nstdout:\n{run.StandardOutput}");
            }

            using JsonDocument output = JsonDocument.Parse(run.StandardOutput);
            return output.RootElement.Clone();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Verifies a one-item job; convenience for the common case.</summary>
    public static async Task<InteropResult> VerifyOneAsync(InteropJob job, CancellationToken cancellationToken)
    {
        IReadOnlyList<InteropResult> results = await VerifyAsync(job, cancellationToken).ConfigureAwait(false);
        return results.Should().ContainSingle().Which;
    }

    /// <summary>Installs <c>tests/interop/node_modules</c> from the lockfile unless this lockfile is already installed.</summary>
    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref s_installed))
        {
            return;
        }

        await s_installGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (s_installed)
            {
                return;
            }

            await CheckNodeAsync(cancellationToken).ConfigureAwait(false);
            string lockfile = Path.Combine(InteropDirectory, "package-lock.json");
            if (!File.Exists(lockfile))
            {
                throw new InvalidOperationException($"{lockfile} is missing: the interop check needs its committed lockfile.");
            }

            string stamp = "package-lock sha256 " + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(lockfile, cancellationToken).ConfigureAwait(false)));
            string marker = Path.Combine(InteropDirectory, "node_modules", MarkerName);

            // Another test process (another test assembly, a second `dotnet test`) may be installing too.
            using (FileStream crossProcessLock = await AcquireFileLockAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!File.Exists(marker) || !string.Equals(await File.ReadAllTextAsync(marker, cancellationToken).ConfigureAwait(false), stamp, StringComparison.Ordinal))
                {
                    ProcessOutcome install = await RunAsync(
                        "npm", ["ci", "--no-audit", "--no-fund"], InteropDirectory, InstallTimeout, cancellationToken).ConfigureAwait(false);
                    if (install.ExitCode != 0)
                    {
                        throw new InvalidOperationException(
                            $"`npm ci --no-audit --no-fund` in {InteropDirectory} failed with exit code {install.ExitCode.ToString(CultureInfo.InvariantCulture)}. "
                            + "It needs the npm registry (or a warm npm cache).\n"
                            + $"stderr:\n{install.StandardError}\nstdout:\n{install.StandardOutput}");
                    }

                    await File.WriteAllTextAsync(marker, stamp, cancellationToken).ConfigureAwait(false);
                }
            }

            Volatile.Write(ref s_installed, true);
        }
        finally
        {
            s_installGate.Release();
        }
    }

    private static async Task CheckNodeAsync(CancellationToken cancellationToken)
    {
        ProcessOutcome version = await RunAsync("node", ["--version"], InteropDirectory, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        string text = version.StandardOutput.Trim();
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        if (version.ExitCode != 0 || !text.StartsWith('v') || dot < 2
            || !int.TryParse(text.AsSpan(1, dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int major) || major < MinimumNodeMajor)
        {
            throw new InvalidOperationException(
                $"The JS interop tests need Node.js >= {MinimumNodeMajor.ToString(CultureInfo.InvariantCulture)} with npm; `node --version` printed '{text}' (exit {version.ExitCode.ToString(CultureInfo.InvariantCulture)}). "
                + "Install Node.js 20+ and npm (Debian: apt-get install nodejs npm).");
        }

        // npm is only needed to install; check it now so the message is clear.
        ProcessOutcome npm = await RunAsync("npm", ["--version"], InteropDirectory, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The JS interop tests need npm to install tests/interop; `npm --version` failed (exit {npm.ExitCode.ToString(CultureInfo.InvariantCulture)}): {npm.StandardError}");
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(CancellationToken cancellationToken)
    {
        string name = "badgeissuer-interop-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(InteropDirectory)))[..16] + ".lock";
        string path = Path.Combine(Path.GetTempPath(), name);
        TimeSpan waited = TimeSpan.Zero;
        TimeSpan step = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited < InstallTimeout)
            {
                await Task.Delay(step, cancellationToken).ConfigureAwait(false);
                waited += step;
            }
        }
    }

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BadgeIssuer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"BadgeIssuer.sln not found above {AppContext.BaseDirectory}.");
    }

    private sealed record ProcessOutcome(int ExitCode, string StandardOutput, string StandardError);

    private static async Task<ProcessOutcome> RunAsync(
        string program, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };

        // npm is a .cmd script on Windows, which only the shell can start.
        if (OperatingSystem.IsWindows() && string.Equals(program, "npm", StringComparison.Ordinal))
        {
            start.FileName = "cmd.exe";
            start.ArgumentList.Add("/d");
            start.ArgumentList.Add("/c");
            start.ArgumentList.Add("npm");
        }
        else
        {
            start.FileName = program;
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["npm_config_update_notifier"] = "false";
        start.Environment["NO_COLOR"] = "1";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"`{program}` did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"`{program}` could not be started ({ex.Message}). The JS interop tests need Node.js >= {MinimumNodeMajor.ToString(CultureInfo.InvariantCulture)} "
                + "and npm on PATH (Debian: apt-get install nodejs npm).", ex);
        }

        using (process)
        {
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                throw new TimeoutException($"`{program} {string.Join(' ', arguments)}` did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
            }

            return new ProcessOutcome(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }
}
