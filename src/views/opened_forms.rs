//! The forms a page's address opens: Add customer (`add=customer`), a
//! customer's Edit and Add address (`change=edit`, `change=address`) and New
//! sale (`change=sale`). The server renders them open, for a browser that
//! has not loaded the page's code (or runs none), while the browser
//! downloads their code on demand. A form whose code is not at hand when the
//! page hydrates hydrates as its placeholder, which is not what the server
//! sent, and that stops the page's code: so the code of the forms the
//! address opens is downloaded before the page hydrates.

use crate::views::customer_page::{ADD_ADDRESS, CHANGE, EDIT};
use crate::views::pos::{ADD, SALE};

/// Which code on demand the forms an address opens need.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OpenedForms {
    /// The customer editor and Add address.
    pub editors: bool,
    /// New sale's fields.
    pub sale: bool,
}

/// The forms `search`, the query of a page's address
/// ("?register=2-1&add=customer"), opens.
pub fn opened_by(search: &str) -> OpenedForms {
    let opens = |name: &str, value: &str| {
        search
            .trim_start_matches('?')
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .any(|pair| pair == (name, value))
    };
    OpenedForms {
        editors: opens(ADD.0, ADD.1) || opens(CHANGE, EDIT) || opens(CHANGE, ADD_ADDRESS),
        sale: opens(CHANGE, SALE),
    }
}

/// Downloads the code of the forms `search` opens; whether all of it came.
#[cfg(feature = "hydrate")]
pub async fn download_their_code(search: &str) -> bool {
    use crate::views::customer_form::preload_editors;
    use crate::views::pos::preload_sale_fields;
    let opened = opened_by(search);
    let editors = !opened.editors || preload_editors().await.is_ok();
    let sale = !opened.sale || preload_sale_fields().await.is_ok();
    editors && sale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_names_the_forms_the_server_opened() {
        let editors = OpenedForms {
            editors: true,
            sale: false,
        };
        assert_eq!(opened_by("?register=2-1&add=customer"), editors);
        assert_eq!(opened_by("?register=2-1&change=edit"), editors);
        assert_eq!(opened_by("?change=address&register=2-1"), editors);
        assert_eq!(
            opened_by("?register=2-1&change=sale"),
            OpenedForms {
                editors: false,
                sale: true
            }
        );
        assert_eq!(opened_by("?register=2-1&q=change=edit"), OpenedForms::default());
        assert_eq!(opened_by(""), OpenedForms::default());
    }
}
