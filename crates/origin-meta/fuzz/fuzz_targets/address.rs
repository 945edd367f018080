//! Tool addresses and origin values: the first line is `ctx.tool`, the rest the origin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use origin_meta::{Origin, ToolAddress};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (tool, origin) = match text.split_once('\n') {
        Some((tool, origin)) => (tool, Some(origin)),
        None => (text.as_ref(), None),
    };
    if let Ok(address) = ToolAddress::parse(tool, origin) {
        // What parses must display to something that parses back to the same address.
        let again = ToolAddress::parse(&address.to_string(), None).expect("display re-parses");
        assert_eq!(again.to_string(), address.to_string());
    }
    if let Some(origin) = origin
        && let Ok(parsed) = Origin::parse(origin)
    {
        assert_eq!(
            Origin::parse(&parsed.to_string()).expect("display re-parses"),
            parsed
        );
    }
});
