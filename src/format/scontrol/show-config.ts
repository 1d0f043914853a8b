/**
 * `scontrol show config`, as Slurm 22.05 prints it (slurm_print_ctl_conf):
 * `Key = value` lines (key padded to 23) in Slurm's order, each from
 * slurm.conf when set there, Slurm's default otherwise, then the controller
 * status line. Settings in, text out.
 */
import type { ClusterConfig } from '../../cluster/slurm-conf.js';
import { formatIsoLocal } from '../../job/values/datetime.js';

export interface ShowConfigContext {
  /** SLURM_CONF */
  confPath: string;
  /** this machine's host name (the controller's) */
  hostname: string;
  /** epoch seconds: when the controller started (BOOT_TIME), and now */
  bootTime: number;
  now: number;
  nextJobId: number;
  /** `name(uid)` of a user name, for SlurmUser/SlurmdUser */
  userWithId: (name: string) => string;
}

export const SLURM_VERSION = '22.05.8';

const BASE_TRES = 'cpu,mem,energy,node,billing,fs/disk,vmem,pages';

export function showConfig(cluster: ClusterConfig, ctx: ShowConfigContext): string {
  const s = cluster.settings;
  const get = (key: string, dflt: string | number) => s.get(key.toLowerCase()) ?? String(dflt);
  const unit = (key: string, dflt: number, u: string) => `${get(key, dflt)} ${u}`;
  const sec = (key: string, dflt: number) => unit(key, dflt, 'sec');
  const nul = (key: string) => get(key, '(null)');
  const yesNo = (key: string) => (/^(yes|1)$/i.test(s.get(key.toLowerCase()) ?? '') ? 'Yes' : 'No');
  const dbd = /slurmdbd$/.test(get('AccountingStorageType', ''));
  const extraTres = (s.get('accountingstoragetres') ?? '').split(',').filter((t) => t && !BASE_TRES.split(',').includes(t));
  const maxJobCount = Number(get('MaxJobCount', 10000));
  const mem = (kind: 'Def' | 'Max'): [string, string] => {
    const cpu = s.get(`${kind.toLowerCase()}mempercpu`);
    const node = s.get(`${kind.toLowerCase()}mempernode`);
    if (cpu !== undefined) return [`${kind}MemPerCPU`, cpu];
    return [`${kind}MemPerNode`, node !== undefined && node !== '0' ? node : 'UNLIMITED'];
  };
  const ctldHost = (): string => {
    const v = s.get('slurmctldhost') ?? s.get('controlmachine') ?? ctx.hostname;
    if (v.includes('(')) return v;
    return v === 'localhost' ? `${ctx.hostname}(localhost)` : `${v}(${v})`;
  };

  const lines: [string, string][] = [
    ['AccountingStorageBackupHost', nul('AccountingStorageBackupHost')],
    ['AccountingStorageEnforce', get('AccountingStorageEnforce', 'none')],
    ['AccountingStorageHost', get('AccountingStorageHost', 'localhost')],
    ['AccountingStorageExternalHost', nul('AccountingStorageExternalHost')],
    ['AccountingStorageParameters', nul('AccountingStorageParameters')],
    ['AccountingStoragePort', get('AccountingStoragePort', dbd ? 6819 : 0)],
    ['AccountingStorageTRES', [BASE_TRES, ...extraTres].join(',')],
    ['AccountingStorageType', cluster.accountingStorageType],
    ['AccountingStorageUser', get('AccountingStorageUser', 'N/A')],
    ['AccountingStoreFlags', nul('AccountingStoreFlags')],
    ['AcctGatherEnergyType', get('AcctGatherEnergyType', 'acct_gather_energy/none')],
    ['AcctGatherFilesystemType', get('AcctGatherFilesystemType', 'acct_gather_filesystem/none')],
    ['AcctGatherInterconnectType', get('AcctGatherInterconnectType', 'acct_gather_interconnect/none')],
    ['AcctGatherNodeFreq', sec('AcctGatherNodeFreq', 0)],
    ['AcctGatherProfileType', get('AcctGatherProfileType', 'acct_gather_profile/none')],
    ['AllowSpecResourcesUsage', yesNo('AllowSpecResourcesUsage')],
    ['AuthAltTypes', nul('AuthAltTypes')],
    ['AuthAltParameters', nul('AuthAltParameters')],
    ['AuthInfo', nul('AuthInfo')],
    ['AuthType', get('AuthType', 'auth/munge')],
    ['BatchStartTimeout', sec('BatchStartTimeout', 10)],
    ['BcastExclude', get('BcastExclude', '/lib,/usr/lib,/lib64,/usr/lib64')],
    ['BcastParameters', nul('BcastParameters')],
    ['BOOT_TIME', formatIsoLocal(ctx.bootTime)],
    ['BurstBufferType', nul('BurstBufferType')],
    ['CliFilterPlugins', nul('CliFilterPlugins')],
    ['ClusterName', cluster.clusterName],
    ['CommunicationParameters', nul('CommunicationParameters')],
    ['CompleteWait', sec('CompleteWait', 0)],
    ['CoreSpecPlugin', get('CoreSpecPlugin', 'core_spec/none')],
    ['CpuFreqDef', get('CpuFreqDef', 'Unknown')],
    ['CpuFreqGovernors', get('CpuFreqGovernors', 'OnDemand,Performance,UserSpace')],
    ['CredType', get('CredType', 'cred/munge')],
    ['DebugFlags', nul('DebugFlags')],
    mem('Def'),
    ['DependencyParameters', nul('DependencyParameters')],
    ['DisableRootJobs', yesNo('DisableRootJobs')],
    ['EioTimeout', get('EioTimeout', 60)],
    ['EnforcePartLimits', get('EnforcePartLimits', 'NO').toUpperCase()],
    ['Epilog', nul('Epilog')],
    ['EpilogMsgTime', unit('EpilogMsgTime', 2000, 'usec')],
    ['EpilogSlurmctld', nul('EpilogSlurmctld')],
    ['ExtSensorsType', get('ExtSensorsType', 'ext_sensors/none')],
    ['ExtSensorsFreq', sec('ExtSensorsFreq', 0)],
    ['FederationParameters', nul('FederationParameters')],
    ['FirstJobId', String(cluster.firstJobId)],
    ['GetEnvTimeout', sec('GetEnvTimeout', 2)],
    ['GresTypes', nul('GresTypes')],
    ['GpuFreqDef', get('GpuFreqDef', 'high,memory=high')],
    ['GroupUpdateForce', get('GroupUpdateForce', 1)],
    ['GroupUpdateTime', sec('GroupUpdateTime', 600)],
    ['HASH_VAL', 'Match'],
    ['HealthCheckInterval', sec('HealthCheckInterval', 0)],
    ['HealthCheckNodeState', get('HealthCheckNodeState', 'ANY')],
    ['HealthCheckProgram', nul('HealthCheckProgram')],
    ['InactiveLimit', sec('InactiveLimit', 0)],
    ['InteractiveStepOptions', get('InteractiveStepOptions', '--interactive --preserve-env --pty $SHELL')],
    ['JobAcctGatherFrequency', get('JobAcctGatherFrequency', 30)],
    ['JobAcctGatherType', get('JobAcctGatherType', 'jobacct_gather/none')],
    ['JobAcctGatherParams', nul('JobAcctGatherParams')],
    ['JobCompHost', get('JobCompHost', 'localhost')],
    ['JobCompLoc', get('JobCompLoc', '/var/log/slurm_jobcomp.log')],
    ['JobCompPort', get('JobCompPort', 0)],
    ['JobCompType', get('JobCompType', 'jobcomp/none')],
    ['JobCompUser', get('JobCompUser', 'root')],
    ['JobContainerType', get('JobContainerType', 'job_container/none')],
    ['JobCredentialPrivateKey', nul('JobCredentialPrivateKey')],
    ['JobCredentialPublicCertificate', nul('JobCredentialPublicCertificate')],
    ['JobDefaults', nul('JobDefaults')],
    ['JobFileAppend', get('JobFileAppend', 0)],
    ['JobRequeue', get('JobRequeue', 1)],
    ['JobSubmitPlugins', nul('JobSubmitPlugins')],
    ['KillOnBadExit', get('KillOnBadExit', 0)],
    ['KillWait', sec('KillWait', 30)],
    ['LaunchParameters', nul('LaunchParameters')],
    ['LaunchType', get('LaunchType', 'launch/slurm')],
    ['Licenses', nul('Licenses')],
    ['LogTimeFormat', get('LogTimeFormat', 'iso8601_ms')],
    ['MailDomain', nul('MailDomain')],
    ['MailProg', get('MailProg', '/bin/mail')],
    ['MaxArraySize', String(cluster.maxArraySize)],
    ['MaxDBDMsgs', get('MaxDBDMsgs', Math.max(10000, 2 * maxJobCount + 4 * cluster.nodes.length))],
    ['MaxJobCount', String(maxJobCount)],
    ['MaxJobId', get('MaxJobId', 67043328)],
    mem('Max'),
    ['MaxNodeCount', String(cluster.nodes.length)],
    ['MaxStepCount', get('MaxStepCount', 40000)],
    ['MaxTasksPerNode', get('MaxTasksPerNode', 512)],
    ['MCSPlugin', get('MCSPlugin', 'mcs/none')],
    ['MCSParameters', nul('MCSParameters')],
    ['MessageTimeout', sec('MessageTimeout', 10)],
    ['MinJobAge', `${cluster.minJobAge} sec`],
    ['MpiDefault', get('MpiDefault', 'none')],
    ['MpiParams', nul('MpiParams')],
    ['MULTIPLE_SLURMD', 'Yes'],
    ['NEXT_JOB_ID', String(ctx.nextJobId)],
    ['NodeFeaturesPlugins', nul('NodeFeaturesPlugins')],
    ['OverTimeLimit', unit('OverTimeLimit', 0, 'min')],
    ['PluginDir', get('PluginDir', '/usr/lib/x86_64-linux-gnu/slurm-wlm')],
    ['PlugStackConfig', nul('PlugStackConfig')],
    ['PowerParameters', nul('PowerParameters')],
    ['PowerPlugin', get('PowerPlugin', '')],
    ['PreemptMode', get('PreemptMode', 'OFF').toUpperCase()],
    ['PreemptType', get('PreemptType', 'preempt/none')],
    ['PreemptExemptTime', get('PreemptExemptTime', '00:00:00')],
    ['PrEpParameters', nul('PrEpParameters')],
    ['PrEpPlugins', get('PrEpPlugins', 'prep/script')],
    ['PriorityParameters', nul('PriorityParameters')],
    ['PrioritySiteFactorParameters', nul('PrioritySiteFactorParameters')],
    ['PrioritySiteFactorPlugin', nul('PrioritySiteFactorPlugin')],
    ['PriorityType', get('PriorityType', 'priority/basic')],
    ['PrivateData', get('PrivateData', 'none')],
    ['ProctrackType', get('ProctrackType', 'proctrack/cgroup')],
    ['Prolog', nul('Prolog')],
    ['PrologEpilogTimeout', get('PrologEpilogTimeout', 65534)],
    ['PrologSlurmctld', nul('PrologSlurmctld')],
    ['PrologFlags', nul('PrologFlags')],
    ['PropagatePrioProcess', get('PropagatePrioProcess', 0)],
    ['PropagateResourceLimits', get('PropagateResourceLimits', 'ALL')],
    ['PropagateResourceLimitsExcept', nul('PropagateResourceLimitsExcept')],
    ['RebootProgram', nul('RebootProgram')],
    ['ReconfigFlags', nul('ReconfigFlags')],
    ['RequeueExit', nul('RequeueExit')],
    ['RequeueExitHold', nul('RequeueExitHold')],
    ['ResumeFailProgram', nul('ResumeFailProgram')],
    ['ResumeProgram', nul('ResumeProgram')],
    ['ResumeRate', unit('ResumeRate', 300, 'nodes/min')],
    ['ResumeTimeout', sec('ResumeTimeout', 60)],
    ['ResvEpilog', nul('ResvEpilog')],
    ['ResvOverRun', unit('ResvOverRun', 0, 'min')],
    ['ResvProlog', nul('ResvProlog')],
    ['ReturnToService', get('ReturnToService', 1)],
    ['RoutePlugin', get('RoutePlugin', 'route/default')],
    ['SchedulerParameters', nul('SchedulerParameters')],
    ['SchedulerTimeSlice', sec('SchedulerTimeSlice', 30)],
    ['SchedulerType', get('SchedulerType', 'sched/backfill')],
    ['ScronParameters', nul('ScronParameters')],
    ['SelectType', get('SelectType', 'select/cons_tres')],
    ['SelectTypeParameters', (cluster.selectTypeParameters || 'CR_CPU').toUpperCase()],
    ['SlurmUser', ctx.userWithId(get('SlurmUser', 'root'))],
    ['SlurmctldAddr', nul('SlurmctldAddr')],
    ['SlurmctldDebug', get('SlurmctldDebug', 'info')],
    ['SlurmctldHost[0]', ctldHost()],
    ['SlurmctldLogFile', nul('SlurmctldLogFile')],
    ['SlurmctldPort', get('SlurmctldPort', 6817)],
    ['SlurmctldSyslogDebug', nul('SlurmctldSyslogDebug')],
    ['SlurmctldPrimaryOffProg', nul('SlurmctldPrimaryOffProg')],
    ['SlurmctldPrimaryOnProg', nul('SlurmctldPrimaryOnProg')],
    ['SlurmctldTimeout', sec('SlurmctldTimeout', 120)],
    ['SlurmctldParameters', nul('SlurmctldParameters')],
    ['SlurmdDebug', get('SlurmdDebug', 'info')],
    ['SlurmdLogFile', nul('SlurmdLogFile')],
    ['SlurmdParameters', nul('SlurmdParameters')],
    ['SlurmdPidFile', get('SlurmdPidFile', '/var/run/slurmd.pid')],
    ['SlurmdPort', get('SlurmdPort', 6818)],
    ['SlurmdSpoolDir', get('SlurmdSpoolDir', '/var/spool/slurmd')],
    ['SlurmdSyslogDebug', nul('SlurmdSyslogDebug')],
    ['SlurmdTimeout', sec('SlurmdTimeout', 300)],
    ['SlurmdUser', ctx.userWithId(get('SlurmdUser', 'root'))],
    ['SlurmSchedLogFile', nul('SlurmSchedLogFile')],
    ['SlurmSchedLogLevel', get('SlurmSchedLogLevel', 0)],
    ['SlurmctldPidFile', get('SlurmctldPidFile', '/var/run/slurmctld.pid')],
    ['SlurmctldPlugstack', nul('SlurmctldPlugstack')],
    ['SLURM_CONF', ctx.confPath],
    ['SLURM_VERSION', SLURM_VERSION],
    ['SrunEpilog', nul('SrunEpilog')],
    ['SrunPortRange', get('SrunPortRange', '0-0')],
    ['SrunProlog', nul('SrunProlog')],
    ['StateSaveLocation', get('StateSaveLocation', '/var/spool/slurmctld')],
    ['SuspendExcNodes', nul('SuspendExcNodes')],
    ['SuspendExcParts', nul('SuspendExcParts')],
    ['SuspendProgram', nul('SuspendProgram')],
    ['SuspendRate', unit('SuspendRate', 60, 'nodes/min')],
    ['SuspendTime', get('SuspendTime', 'INFINITE').toUpperCase()],
    ['SuspendTimeout', sec('SuspendTimeout', 30)],
    ['SwitchParameters', nul('SwitchParameters')],
    ['SwitchType', get('SwitchType', 'switch/none')],
    ['TaskEpilog', nul('TaskEpilog')],
    ['TaskPlugin', get('TaskPlugin', 'task/none')],
    ['TaskPluginParam', get('TaskPluginParam', '(null type)')],
    ['TaskProlog', nul('TaskProlog')],
    ['TCPTimeout', sec('TCPTimeout', 2)],
    ['TmpFS', get('TmpFS', '/tmp')],
    ['TopologyParam', nul('TopologyParam')],
    ['TopologyPlugin', get('TopologyPlugin', 'topology/none')],
    ['TrackWCKey', yesNo('TrackWCKey')],
    ['TreeWidth', get('TreeWidth', 50)],
    ['UsePam', yesNo('UsePam')],
    ['UnkillableStepProgram', nul('UnkillableStepProgram')],
    ['UnkillableStepTimeout', sec('UnkillableStepTimeout', 60)],
    ['VSizeFactor', unit('VSizeFactor', 0, 'percent')],
    ['WaitTime', sec('WaitTime', 0)],
    ['X11Parameters', nul('X11Parameters')],
  ];
  const body = lines.map(([k, v]) => `${k.padEnd(23)} = ${v}\n`).join('');
  return `Configuration data as of ${formatIsoLocal(ctx.now)}\n${body}\nSlurmctld(primary) at ${ctx.hostname} is UP\n`;
}
