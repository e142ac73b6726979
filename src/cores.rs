//! The same work on both sides of a comparison, on two cores at once.

/// `work(old)` on this thread and `work(new)` on another at once when `apart`, else one after
/// the other (OLD first). A panic on either side goes on here.
pub(crate) fn both_sides<I: Send, T: Send>(
    apart: bool,
    old: I,
    new: I,
    work: impl Fn(I) -> T + Sync,
) -> (T, T) {
    if !apart {
        let old = work(old);
        return (old, work(new));
    }
    let work = &work;
    std::thread::scope(|scope| {
        let new_side = scope.spawn(move || work(new));
        let old_side = work(old);
        let new_side = new_side
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (old_side, new_side)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_side_gets_its_own_result_whether_apart_or_not() {
        for apart in [false, true] {
            assert_eq!(super::both_sides(apart, 2, 3, |x| x * 10), (20, 30));
        }
    }
}
