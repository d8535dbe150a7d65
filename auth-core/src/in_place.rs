//! Values boxed where they are built.
//!
//! `Box::new(value)` and `Box::pin(future)` build the value on the stack,
//! then copy every byte of its type into the heap. For a future that is
//! the size of its largest state (the whole hook chain's, 2.4 KB for a
//! call through the app), although a future not yet polled holds only
//! its arguments. Allocating first and writing the value into the
//! allocation lets the compiler build it there, with no copy; a function
//! taking the value would receive it built on the stack already, so this
//! is a macro.

/// `Box::new($value)`, with the value built in the allocation.
macro_rules! boxed_in_place {
    ($value:expr) => {{
        // Bound first, so that the type is the value's, not one a caller
        // expects (a `dyn Future`, say).
        let boxed = ::std::boxed::Box::write(::std::boxed::Box::new_uninit(), $value);
        boxed
    }};
}

/// `Box::pin($future)`, with the future built in the allocation.
macro_rules! pinned_in_place {
    ($future:expr) => {
        ::std::boxed::Box::into_pin($crate::in_place::boxed_in_place!($future))
    };
}

pub(crate) use {boxed_in_place, pinned_in_place};

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    #[test]
    fn a_value_boxed_in_place_is_the_value() {
        let value: Box<[u8; 4096]> = boxed_in_place!([7; 4096]);
        assert_eq!(*value, [7; 4096]);
    }

    #[test]
    fn a_future_pinned_in_place_runs() {
        let mut future = pinned_in_place!(async { 42 });
        let mut context = Context::from_waker(Waker::noop());
        assert_eq!(future.as_mut().poll(&mut context), Poll::Ready(42));
    }
}
