// SPDX-License-Identifier: GPL-2.0
/*
 * Every task on the host in one read(2): a BPF task iterator. Reading /proc/PID/stat costs a
 * system call and a text rendering per process, per scan; on a host with a thousand processes
 * that is most of a probe tick. This walks the kernel's task list once and writes fixed-size
 * binary records: one per process (its thread-group leader) and one per other thread carrying
 * only its run time, which the probe adds up per process as /proc/PID/stat does.
 *
 * The record layout is decoded by io.chronoscope.probe.TaskIterator; change both together.
 */
#include "processes.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define PF_KTHREAD 0x00200000
#define MM_FILEPAGES 0
#define MM_ANONPAGES 1
#define MM_SHMEMPAGES 3

char LICENSE[] SEC("license") = "GPL";

/* 64 bytes. kind 1: a process (leader); kind 2: another thread of process tgid. */
struct task_record {
	__u32 kind;
	__u32 tgid;
	__u32 ppid;
	__u32 threads;
	__u64 run_ns;        /* this task's CPU time; for a leader plus its exited threads' */
	__u64 start_boottime; /* ns since boot, counting suspend, as /proc/PID/stat's starttime */
	__s64 rss_pages;     /* file + anon + shmem, as /proc/PID/stat's rss */
	__u32 flags;
	__u32 pad;
	char comm[16];
};
_Static_assert(sizeof(struct task_record) == 64, "TaskIterator.RECORD in Java must match");

/*
 * mm->rss_stat[i].count. The element size is the running kernel's (a percpu_counter carries a
 * lock and a list there), not that of the one-field struct declared here: CO-RE relocates a
 * field's offset but would index the array by the local size.
 */
static __always_inline __s64 counter(struct mm_struct *mm, int i)
{
	struct percpu_counter *first = __builtin_preserve_access_index(&mm->rss_stat[0]);
	struct percpu_counter *c = (void *)first + i * bpf_core_type_size(struct percpu_counter);
	__s64 value = BPF_CORE_READ(c, count);
	return value < 0 ? 0 : value;
}

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	if (!task)
		return 0;
	struct task_record r = {};
	r.tgid = task->tgid;
	r.run_ns = task->se.sum_exec_runtime;
	if (task->pid != task->tgid) {
		r.kind = 2;
		bpf_seq_write(seq, &r, sizeof(r));
		return 0;
	}
	r.kind = 1;
	r.ppid = BPF_CORE_READ(task, real_parent, tgid);
	r.threads = BPF_CORE_READ(task, signal, nr_threads);
	r.run_ns += BPF_CORE_READ(task, signal, sum_sched_runtime);
	r.start_boottime = task->start_boottime;
	r.flags = task->flags;
	struct mm_struct *mm = task->mm;
	if (mm)
		r.rss_pages = counter(mm, MM_FILEPAGES) + counter(mm, MM_ANONPAGES)
			+ counter(mm, MM_SHMEMPAGES);
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), task->comm);
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
