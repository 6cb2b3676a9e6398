/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types processes.bpf.c reads, with preserve_access_index so libbpf relocates
 * every field against the running kernel's BTF (CO-RE): no vmlinux.h, nothing kernel-specific
 * compiled in. Field names are the kernel's; offsets come from /sys/kernel/btf/vmlinux at load.
 */
#ifndef CHRONOSCOPE_PROCESSES_H
#define CHRONOSCOPE_PROCESSES_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;
typedef signed char __s8;
typedef short __s16;
/* bpf_helper_defs.h names these in helper prototypes this program never calls. */
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

struct percpu_counter {
	__s64 count;
} __attribute__((preserve_access_index));

struct mm_struct {
	struct percpu_counter rss_stat[4];
} __attribute__((preserve_access_index));

struct signal_struct {
	int nr_threads;
	__u64 sum_sched_runtime;
} __attribute__((preserve_access_index));

struct sched_entity {
	__u64 sum_exec_runtime;
} __attribute__((preserve_access_index));

struct task_struct {
	unsigned int flags;
	int pid;
	int tgid;
	struct sched_entity se;
	struct mm_struct *mm;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	__u64 start_boottime;
	char comm[16];
	struct signal_struct *signal;
} __attribute__((preserve_access_index));

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

#endif
