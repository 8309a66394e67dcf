//! The three functions the page calls, over JSON text in the module's memory: the page asks
//! `threshold_input(len)` for a buffer and writes the request there, `threshold_call()`
//! answers it and returns the reply's length, and `threshold_output()` says where the reply
//! is. The code is safe Rust; `unsafe_code` is allowed here only because exporting a
//! function under its own name takes `#[unsafe(no_mangle)]`.
#![allow(unsafe_code)]

use std::cell::RefCell;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A buffer of `len` bytes for the next request; valid until the next call to this.
#[unsafe(no_mangle)]
pub extern "C" fn threshold_input(len: usize) -> *mut u8 {
    INPUT.with(|input| {
        let mut input = input.borrow_mut();
        input.clear();
        input.resize(len, 0);
        input.as_mut_ptr()
    })
}

/// Answer the request in the input buffer; returns the length of the reply.
#[unsafe(no_mangle)]
pub extern "C" fn threshold_call() -> usize {
    let request = INPUT.with(|input| String::from_utf8_lossy(&input.borrow()).into_owned());
    let reply = crate::handle(&request);
    OUTPUT.with(|output| {
        let mut output = output.borrow_mut();
        *output = reply.into_bytes();
        output.len()
    })
}

/// Where the last reply is (its length came from `threshold_call`).
#[unsafe(no_mangle)]
pub extern "C" fn threshold_output() -> *const u8 {
    OUTPUT.with(|output| output.borrow().as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_written_into_the_buffer_is_answered_in_the_output() {
        let request = br#"{"op": "start"}"#;
        let buffer = threshold_input(request.len());
        assert!(!buffer.is_null());
        INPUT.with(|input| input.borrow_mut().copy_from_slice(request));
        let len = threshold_call();
        let reply = OUTPUT.with(|output| String::from_utf8(output.borrow().clone()).unwrap());
        assert_eq!(reply.len(), len);
        assert!(reply.contains("\"salford\""), "{reply}");
        assert!(!threshold_output().is_null());
    }
}
