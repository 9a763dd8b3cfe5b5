/* The VM lifecycle, defined once for the module's users, the kernel glue and
 * the VMM core: the states a VM reports (v3_vm_info.state), their names, and
 * which operation each state allows with the state it leads to.
 *
 *              created   running   paused    stopped    error
 *   launch     running   -         -         running*   -
 *   pause      -         paused    -         -          -
 *   continue   -         -         running   -          -
 *   stop       -         stopped   stopped   -          -
 *   free       (gone)    (gone)    (gone)    (gone)     (gone)
 *
 *   * relaunch: the VM is reset first (cores, devices and guest memory as
 *     on creation) and boots again as on its first launch.
 *
 * Besides these operations a running VM becomes stopped when its guest asks
 * to stop, and any launched VM becomes error when the VMM fails it
 * (fail-stop; v3_vm_info.reason says why). A refused operation fails with
 * EBUSY when it is a launch of a VM that is running or paused, with EINVAL
 * otherwise.
 *
 * Plain C without includes, so the freestanding core can include it too;
 * kmod/uapi/v3vee.h includes it for everyone else. The numbers are ABI
 * (v3_vm_info.state, the agent protocol): keep them. */
#ifndef V3VEE_LIFECYCLE_H
#define V3VEE_LIFECYCLE_H

/* VM states (v3_vm_info.state). */
#define V3_STATE_CREATED 0 /* built and never launched */
#define V3_STATE_RUNNING 1
#define V3_STATE_PAUSED 2  /* every core parked outside the guest; guest time stands still */
#define V3_STATE_STOPPED 3 /* by the host, or by the guest itself */
#define V3_STATE_ERROR 4   /* failed by the VMM; only free remains */
#define V3_STATE_COUNT 5
#define V3_STATE_NONE 0xffffffffu /* no state: the operation is refused, or left no VM */

/* The operations that change a VM's state (V3_VM_LAUNCH, V3_VM_PAUSE,
 * V3_VM_CONTINUE, V3_VM_STOP, V3_FREE_GUEST). */
#define V3_VM_OP_LAUNCH 0
#define V3_VM_OP_PAUSE 1
#define V3_VM_OP_CONTINUE 2
#define V3_VM_OP_STOP 3
#define V3_VM_OP_FREE 4
#define V3_VM_OP_COUNT 5

/* "created", "running", "paused", "stopped", "error"; "unknown" otherwise.
 * The module's /proc files, the tools and the inventory use these words. */
static inline const char* v3_vm_state_name(unsigned int state) {
    switch (state) {
    case V3_STATE_CREATED:
        return "created";
    case V3_STATE_RUNNING:
        return "running";
    case V3_STATE_PAUSED:
        return "paused";
    case V3_STATE_STOPPED:
        return "stopped";
    case V3_STATE_ERROR:
        return "error";
    }
    return "unknown";
}

/* "launch", "pause", "continue", "stop", "free"; "unknown" otherwise. */
static inline const char* v3_vm_op_name(unsigned int op) {
    switch (op) {
    case V3_VM_OP_LAUNCH:
        return "launch";
    case V3_VM_OP_PAUSE:
        return "pause";
    case V3_VM_OP_CONTINUE:
        return "continue";
    case V3_VM_OP_STOP:
        return "stop";
    case V3_VM_OP_FREE:
        return "free";
    }
    return "unknown";
}

/* The state a VM in `state` is in once `op` succeeded (the table above);
 * V3_STATE_NONE when the state does not allow the operation, and after free,
 * which leaves no VM. */
static inline unsigned int v3_vm_state_after(unsigned int state, unsigned int op) {
    switch (op) {
    case V3_VM_OP_LAUNCH:
        return state == V3_STATE_CREATED || state == V3_STATE_STOPPED ? V3_STATE_RUNNING
                                                                      : V3_STATE_NONE;
    case V3_VM_OP_PAUSE:
        return state == V3_STATE_RUNNING ? V3_STATE_PAUSED : V3_STATE_NONE;
    case V3_VM_OP_CONTINUE:
        return state == V3_STATE_PAUSED ? V3_STATE_RUNNING : V3_STATE_NONE;
    case V3_VM_OP_STOP:
        return state == V3_STATE_RUNNING || state == V3_STATE_PAUSED ? V3_STATE_STOPPED
                                                                     : V3_STATE_NONE;
    }
    return V3_STATE_NONE;
}

/* Whether a VM in `state` allows `op`. Free is allowed in every state (a
 * running VM is stopped first). */
static inline int v3_vm_op_allowed(unsigned int state, unsigned int op) {
    if (state >= V3_STATE_COUNT)
        return 0;
    if (op == V3_VM_OP_FREE)
        return 1;
    return v3_vm_state_after(state, op) != V3_STATE_NONE;
}

/* Whether `op` in `state` resets the VM before it runs again (relaunch). */
static inline int v3_vm_op_resets(unsigned int state, unsigned int op) {
    return op == V3_VM_OP_LAUNCH && state == V3_STATE_STOPPED;
}

#ifdef __cplusplus
/* The same for C++ (the core, libv3ctl and what uses it): one scoped type
 * each. Unknown and Inactive are never a VM's state in the module: they are
 * what a client says of a VM whose state it could not learn (Unknown) or
 * that the host does not have, not yet or no longer (Inactive). */
namespace v3vee {
enum class VmState : unsigned int {
    Created = V3_STATE_CREATED,
    Running = V3_STATE_RUNNING,
    Paused = V3_STATE_PAUSED,
    Stopped = V3_STATE_STOPPED,
    Error = V3_STATE_ERROR,
    Unknown = V3_STATE_COUNT,
    Inactive,
};
enum class VmOperation : unsigned int {
    Launch = V3_VM_OP_LAUNCH,
    Pause = V3_VM_OP_PAUSE,
    Continue = V3_VM_OP_CONTINUE,
    Stop = V3_VM_OP_STOP,
    Free = V3_VM_OP_FREE,
};
} // namespace v3vee
#endif

#endif /* V3VEE_LIFECYCLE_H */
