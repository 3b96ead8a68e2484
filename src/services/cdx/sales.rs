//! Where a sale is, by its receipt number: HQ first, then this scale
//! unit's channel database (a sale not uploaded yet is only there).

use super::CdxError;
use crate::domain::sales::SaleWhereabouts;
use crate::storage::channel_db::ChannelDb;
use crate::storage::hq_db::HqDb;

pub async fn find_sale(
    channel: &ChannelDb,
    hq: &HqDb,
    receipt_number: &str,
) -> Result<SaleWhereabouts, CdxError> {
    if let Some(sale) = hq.sale_by_receipt(receipt_number).await? {
        return Ok(SaleWhereabouts::InHq(sale));
    }
    let scale_unit = channel.scale_unit().to_string();
    // Uploaded but not in HQ cannot be: HQ stores a batch before the channel
    // marks it. Read after HQ, so a sale uploaded meanwhile is not missed.
    Ok(match channel.sale_uploaded(receipt_number).await? {
        Some(_) => SaleWhereabouts::WaitingForUpload { scale_unit },
        None => SaleWhereabouts::Unknown { scale_unit },
    })
}
