//! The default seccomp filter, equal in intent to Docker's: every system call this runtime
//! knows is allowed except those that need a capability the container lacks (namespace
//! creation and `mount` without CAP_SYS_ADMIN, module loading, reboot, clock setting…) and
//! those no container should make (`keyctl`, `io_uring`, obsolete calls). Two filters are
//! stacked; the kernel applies the stricter answer:
//!
//! 1. a deny list (built with `seccompiler`): EPERM for the calls above, and for `clone` with
//!    any namespace flag;
//! 2. an allow range: numbers above the highest system call known here get ENOSYS (so a C
//!    library falls back, as it does for `clone3`, whose flags a filter cannot inspect), and
//!    other architectures' calls are refused.

use seccompiler::{
    sock_filter, BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition,
    SeccompFilter, SeccompRule, TargetArch,
};
use std::collections::BTreeMap;

/// Capability numbers the deny list depends on.
const CAP_DAC_READ_SEARCH: u32 = 2;
const CAP_SYS_MODULE: u32 = 16;
const CAP_SYS_RAWIO: u32 = 17;
const CAP_SYS_PTRACE: u32 = 19;
const CAP_SYS_PACCT: u32 = 20;
const CAP_SYS_ADMIN: u32 = 21;
const CAP_SYS_BOOT: u32 = 22;
const CAP_SYS_NICE: u32 = 23;
const CAP_SYS_TIME: u32 = 25;
const CAP_SYS_TTY_CONFIG: u32 = 26;
const CAP_SYSLOG: u32 = 34;

/// The highest system call number allowed (Linux 6.17's `file_setattr` is 469).
const MAX_KNOWN_SYSCALL: u32 = 469;

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

/// Calls denied unless the container holds the capability (Docker's profile groups).
fn gated() -> Vec<(u32, Vec<i64>)> {
    let mut admin = vec![
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_unshare,
        libc::SYS_setns,
        libc::SYS_pivot_root,
        libc::SYS_fsopen,
        libc::SYS_fsconfig,
        libc::SYS_fsmount,
        libc::SYS_fspick,
        libc::SYS_move_mount,
        libc::SYS_open_tree,
        libc::SYS_mount_setattr,
        libc::SYS_quotactl,
        libc::SYS_lookup_dcookie,
        libc::SYS_perf_event_open,
        libc::SYS_fanotify_init,
        libc::SYS_bpf,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_setdomainname,
        libc::SYS_name_to_handle_at,
    ];
    #[cfg(target_arch = "x86_64")]
    admin.push(libc::SYS_umount2);
    admin.dedup();
    let mut rawio: Vec<i64> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    rawio.extend([libc::SYS_iopl, libc::SYS_ioperm]);
    vec![
        (CAP_SYS_ADMIN, admin),
        (CAP_DAC_READ_SEARCH, vec![libc::SYS_open_by_handle_at]),
        (
            CAP_SYS_MODULE,
            vec![
                libc::SYS_init_module,
                libc::SYS_finit_module,
                libc::SYS_delete_module,
            ],
        ),
        (
            CAP_SYS_BOOT,
            vec![
                libc::SYS_reboot,
                libc::SYS_kexec_load,
                libc::SYS_kexec_file_load,
            ],
        ),
        (
            CAP_SYS_TIME,
            vec![
                libc::SYS_settimeofday,
                libc::SYS_clock_settime,
                libc::SYS_clock_adjtime,
            ],
        ),
        (CAP_SYS_PACCT, vec![libc::SYS_acct]),
        (CAP_SYS_RAWIO, rawio),
        (
            CAP_SYS_PTRACE,
            vec![
                libc::SYS_process_vm_readv,
                libc::SYS_process_vm_writev,
                libc::SYS_kcmp,
                libc::SYS_userfaultfd,
            ],
        ),
        (
            CAP_SYS_NICE,
            vec![
                libc::SYS_mbind,
                libc::SYS_set_mempolicy,
                libc::SYS_migrate_pages,
                libc::SYS_move_pages,
            ],
        ),
        (CAP_SYS_TTY_CONFIG, vec![libc::SYS_vhangup]),
        (CAP_SYSLOG, vec![libc::SYS_syslog]),
    ]
}

/// Calls denied to every container.
fn always_denied() -> Vec<i64> {
    let mut v = vec![
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
    ];
    #[cfg(target_arch = "x86_64")]
    v.extend([
        libc::SYS_uselib,
        libc::SYS_ustat,
        libc::SYS_sysfs,
        libc::SYS__sysctl,
        libc::SYS_nfsservctl,
    ]);
    v
}

/// Namespace flags `clone` may not be given without CAP_SYS_ADMIN.
const NAMESPACE_FLAGS: &[u64] = &[
    libc::CLONE_NEWNS as u64,
    libc::CLONE_NEWCGROUP as u64,
    libc::CLONE_NEWUTS as u64,
    libc::CLONE_NEWIPC as u64,
    libc::CLONE_NEWUSER as u64,
    libc::CLONE_NEWPID as u64,
    libc::CLONE_NEWNET as u64,
    0x80, // CLONE_NEWTIME
];

/// The filters for a container holding `caps` (bit n = capability n), in load order.
pub fn default_filters(caps: u64) -> Result<Vec<BpfProgram>, String> {
    let has = |cap: u32| caps & (1u64 << cap) != 0;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for (cap, calls) in gated() {
        if !has(cap) {
            for call in calls {
                rules.insert(call, Vec::new());
            }
        }
    }
    for call in always_denied() {
        rules.insert(call, Vec::new());
    }
    if !has(CAP_SYS_ADMIN) {
        let mut clone_rules = Vec::new();
        for flag in NAMESPACE_FLAGS {
            let cond = SeccompCondition::new(
                0,
                SeccompCmpArgLen::Qword,
                SeccompCmpOp::MaskedEq(*flag),
                *flag,
            )
            .map_err(|e| e.to_string())?;
            clone_rules.push(SeccompRule::new(vec![cond]).map_err(|e| e.to_string())?);
        }
        rules.insert(libc::SYS_clone, clone_rules);
    }
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|e| e.to_string())?;
    let deny = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(|e| e.to_string())?;
    let deny: BpfProgram = deny
        .try_into()
        .map_err(|e: seccompiler::BackendError| e.to_string())?;
    Ok(vec![deny, allow_range()])
}

// Classic BPF opcodes.
const BPF_LD_W_ABS: u16 = 0x20;
const BPF_JMP_JEQ_K: u16 = 0x15;
const BPF_JMP_JGE_K: u16 = 0x35;
const BPF_RET_K: u16 = 0x06;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;

fn stmt(code: u16, k: u32) -> sock_filter {
    sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> sock_filter {
    sock_filter { code, jt, jf, k }
}

/// Allows the known range; `clone3` and unknown numbers get ENOSYS, x32 calls EPERM, other
/// architectures are killed.
fn allow_range() -> BpfProgram {
    let enosys = SECCOMP_RET_ERRNO | libc::ENOSYS as u32;
    let eperm = SECCOMP_RET_ERRNO | libc::EPERM as u32;
    vec![
        // seccomp_data.arch at offset 4
        stmt(BPF_LD_W_ABS, 4),
        jump(BPF_JMP_JEQ_K, AUDIT_ARCH, 1, 0),
        stmt(BPF_RET_K, SECCOMP_RET_KILL_PROCESS),
        // seccomp_data.nr at offset 0
        stmt(BPF_LD_W_ABS, 0),
        // x32 system calls (bit 30) are not for containers of this architecture
        jump(BPF_JMP_JGE_K, 0x4000_0000, 0, 1),
        stmt(BPF_RET_K, eperm),
        jump(BPF_JMP_JEQ_K, libc::SYS_clone3 as u32, 0, 1),
        stmt(BPF_RET_K, enosys),
        jump(BPF_JMP_JGE_K, MAX_KNOWN_SYSCALL + 1, 0, 1),
        stmt(BPF_RET_K, enosys),
        stmt(BPF_RET_K, SECCOMP_RET_ALLOW),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_compile() {
        let f = default_filters(crate::container::create::DEFAULT_CAPABILITIES).unwrap();
        assert_eq!(f.len(), 2);
        assert!(f[0].len() > 50);
        let with_admin = default_filters(u64::MAX).unwrap();
        assert!(with_admin[0].len() < f[0].len());
    }
}
