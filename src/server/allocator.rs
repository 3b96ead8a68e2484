//! The server's memory allocator.
//!
//! Every request allocates and frees many small buffers (its body, its
//! session, its answer) on both cores at once; mimalloc's per-thread free
//! lists serve them without glibc's locks and consolidation passes (Add
//! customer about a fifth faster, BENCHMARKS.md).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`: the 16th option of
/// `mi_option_e`, whose numbering mimalloc keeps across versions; the
/// test below checks it by its default).
const PURGE_DELAY_OPTION: libmimalloc_sys::mi_option_t = 15;

/// How long mimalloc keeps freed memory before giving it back to the
/// system, in ms. Its default second made the server's peak RSS while
/// moving 100,000 creates 155 MiB (the target is 150): the jobs free a
/// batch's buffers while they build the next. Given back at once (0), each
/// request's freed pages went back with an `madvise` whose TLB flush
/// interrupted both cores, about 4% of the server's time under Add customer.
/// 10 ms keeps the peak at about 113 MiB, and Add customer was faster than
/// with 0 in every run taking turns with it (BENCHMARKS.md).
const PURGE_DELAY_MS: std::os::raw::c_long = 10;

/// Makes freed memory go back to the system soon, not after mimalloc's
/// default second.
pub fn return_freed_memory_soon() {
    // SAFETY: mi_option_set stores a number in mimalloc's table of options,
    // which it reads atomically; any thread may call it at any time.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY_OPTION, PURGE_DELAY_MS) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purge_delay() -> std::os::raw::c_long {
        // SAFETY: reads one number from mimalloc's table of options.
        unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY_OPTION) }
    }

    #[test]
    fn the_option_set_is_mimallocs_purge_delay() {
        assert_eq!(
            purge_delay(),
            1000,
            "mimalloc's default purge delay, in ms (its options.c)"
        );
        return_freed_memory_soon();
        assert_eq!(purge_delay(), PURGE_DELAY_MS);
    }
}
