/* Checkpoints: V3_VM_SAVE and V3_VM_LOAD on /dev/v3-vmN (numbers in
 * v3vee.h). The checkpoint is streamed through a file descriptor the caller
 * opened: V3_VM_SAVE writes it to `fd` (open for writing: a regular file, a
 * pipe or a socket), V3_VM_LOAD reads it from `fd` (open for reading). The
 * module never holds the guest's memory twice: RAM goes between the
 * guest's pages and the descriptor 2 MiB at a time. The format is the
 * core's (core/src/chkpt/CHECKPOINT-FORMAT.md): versioned, every section
 * with its length and CRC-32, and the identity of the image the VM was
 * built from.
 *
 * V3_VM_SAVE: the VM must be created (never launched) or paused; it is left
 * as it was. V3_VM_LOAD: into a VM created from the same image, created or
 * paused (then continue or launch it). A refused checkpoint (another image,
 * a flipped bit, truncated) leaves the VM unchanged and says why in
 * `error`, except that a checkpoint found corrupt in its RAM after part of
 * it was written resets a created VM to its created state and fails a
 * paused one (the message says which).
 *
 * Errors: EINVAL (the VM's state, a bad checkpoint, flags not 0), EBADF
 * (fd not open, or not for reading/writing), EFAULT, EINTR (a signal
 * ended the transfer), and what the descriptor's read or write returned.
 *
 * Plain C without includes beyond the kernel's types (v3vee.h includes
 * it). */
#ifndef V3VEE_CHKPT_UAPI_H
#define V3VEE_CHKPT_UAPI_H

#define V3_CHKPT_ERROR_MAX 256

struct v3_chkpt {
    __s32 fd;    /* in: where the checkpoint goes (save) or comes from (load) */
    __u32 flags; /* in: 0 */
    __u64 bytes; /* out: checkpoint bytes written or read, also on failure */
    char error[V3_CHKPT_ERROR_MAX]; /* out: "" or one sentence saying why */
};

#endif /* V3VEE_CHKPT_UAPI_H */
