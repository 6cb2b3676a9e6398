// SPDX-License-Identifier: GPL-2.0
/*
 * Short-lived TCP connections: one ring-buffer event per connection that reached ESTABLISHED
 * and then CLOSE, so a connection that lived between two probe scans is still reported.
 *
 * Attached to tp_btf/inet_sock_set_state because that is what loads on the kernels we target:
 * kprobes and fentry may be unavailable, BTF tracepoints are not. The tracepoint fires in
 * whatever context changes the state, often softirq, where the current task is not the socket's
 * owner. So the owner is taken only at transitions that happen in the owner's system call:
 * CLOSE -> SYN_SENT (connect) for the connecting side; ESTABLISHED -> FIN_WAIT1 and
 * CLOSE_WAIT -> LAST_ACK (close or shutdown) for the accepting side.
 *
 * The event layout is decoded by io.chronoscope.probe.ConnectionEvent; change both together.
 */
#include "connections.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TASK_COMM_LEN 16

/* include/net/tcp_states.h */
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_FIN_WAIT1 4
#define TCP_CLOSE 7
#define TCP_CLOSE_WAIT 8
#define TCP_LAST_ACK 9

char LICENSE[] SEC("license") = "GPL";

/*
 * What is known of a socket between its first interesting transition and CLOSE. The addresses
 * and ports are taken at ESTABLISHED because by the time the tracepoint reports CLOSE the kernel
 * has already released the local port (inet_num is 0) and may have reset the source address.
 */
struct lifetime {
	__u64 established_ns; /* 0 until the socket reaches ESTABLISHED */
	__u32 pid;            /* tgid of the owner, 0 until seen in the owner's system call */
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 passive;         /* 1 when it was accepted (came from SYN_RECV) */
	__u8 pad;
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[TASK_COMM_LEN];
};

/* Sent once per connection, when it closes. 96 bytes, little-endian host order. */
struct event {
	__u64 established_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 closed_ns;
	__u64 bytes_acked;    /* sent and acknowledged by the peer; like tcp_info, in sequence */
	__u64 bytes_received; /* space, so SYN and FIN count one byte each */
	__u32 pid;            /* 0 when unknown */
	__u32 netns;          /* network namespace inode */
	__u16 family;         /* AF_INET or AF_INET6 */
	__u16 sport;          /* local port, host order */
	__u16 dport;          /* remote port, host order */
	__u8 oldstate;        /* the state it closed from */
	__u8 passive;
	__u8 saddr[16];       /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	char comm[TASK_COMM_LEN];
};
_Static_assert(sizeof(struct event) == 96, "ConnectionEvent.SIZE in Java must match");

/* LRU so a socket whose CLOSE we never see (tracer started mid-life, map full) cannot leak. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct lifetime);
} lifetimes SEC(".maps");

/*
 * TCP state changes per network namespace inode. A socket appears, changes state or goes away
 * only through this tracepoint, so while a namespace's count stands still its socket table (all
 * but TIME_WAIT, which the kernel drops silently) is what the probe listed last time, and the
 * probe need not list it again: that is what makes a steady tick cheap on a busy host. A plain
 * hash, not LRU: when it is full a namespace simply has no entry and is listed every scan.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} changes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

static __always_inline void take_owner(struct lifetime *life)
{
	life->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(life->comm, sizeof(life->comm));
}

static __always_inline void take_tuple(struct lifetime *life, const struct sock *sk)
{
	life->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	life->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	life->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (life->family == AF_INET) {
		bpf_core_read(life->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(life->daddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(life->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(life->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_state, const struct sock *sk, int oldstate, int newstate)
{
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	__u32 netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	__u64 *count = bpf_map_lookup_elem(&changes, &netns);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else {
		/* Two CPUs racing here lose one increment, never both: the count still moves. */
		__u64 one = 1;
		bpf_map_update_elem(&changes, &netns, &one, BPF_NOEXIST);
	}
	__u64 key = (__u64)sk;
	struct lifetime *life = bpf_map_lookup_elem(&lifetimes, &key);

	if (newstate == TCP_SYN_SENT) {
		struct lifetime fresh = {};
		take_owner(&fresh);
		bpf_map_update_elem(&lifetimes, &key, &fresh, BPF_ANY);
		return 0;
	}
	if (newstate == TCP_ESTABLISHED) {
		if (life) {
			life->established_ns = bpf_ktime_get_ns();
			take_tuple(life, sk);
		} else {
			struct lifetime fresh = {};
			fresh.established_ns = bpf_ktime_get_ns();
			fresh.passive = oldstate == TCP_SYN_RECV;
			take_tuple(&fresh, sk);
			bpf_map_update_elem(&lifetimes, &key, &fresh, BPF_ANY);
		}
		return 0;
	}
	if (!life)
		return 0;
	if ((oldstate == TCP_ESTABLISHED && newstate == TCP_FIN_WAIT1)
	    || (oldstate == TCP_CLOSE_WAIT && newstate == TCP_LAST_ACK)) {
		if (life->pid == 0)
			take_owner(life);
		return 0;
	}
	if (newstate != TCP_CLOSE)
		return 0;
	if (life->established_ns == 0) { /* refused or timed out: never a connection */
		bpf_map_delete_elem(&lifetimes, &key);
		return 0;
	}

	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) { /* ring full: the reader is behind; drop rather than block the network stack */
		bpf_map_delete_elem(&lifetimes, &key);
		return 0;
	}
	e->established_ns = life->established_ns;
	e->closed_ns = bpf_ktime_get_ns();
	e->pid = life->pid;
	e->passive = life->passive;
	__builtin_memcpy(e->comm, life->comm, sizeof(e->comm));
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	e->bytes_acked = BPF_CORE_READ(tp, bytes_acked);
	e->bytes_received = BPF_CORE_READ(tp, bytes_received);
	e->netns = netns;
	e->family = life->family;
	e->sport = life->sport;
	e->dport = life->dport;
	e->oldstate = oldstate;
	__builtin_memcpy(e->saddr, life->saddr, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, life->daddr, sizeof(e->daddr));
	bpf_ringbuf_submit(e, 0);
	bpf_map_delete_elem(&lifetimes, &key);
	return 0;
}
