//! The demo's posts from outside the dump, as the exports people have
//! hold them: a Telegram channel that spreads the dump (an authentic
//! attachment, a re-encoded photo, a quote with a figure changed, an
//! invented memo, an unrelated message) and an X account archive that
//! relays it.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;
use leakcheck_samples::{Exif, jpeg};
use serde_json::json;

/// Writes `dir/telegram` (Telegram Desktop's `result.json` with
/// `photos/` and `files/`) and `dir/x` (an X archive: `data/tweets.js`,
/// `data/account.js`); returns the two export folders.
pub fn write(dir: &Path) -> Result<[PathBuf; 2]> {
    let tg = dir.join("telegram");
    fs::create_dir_all(tg.join("photos"))?;
    fs::create_dir_all(tg.join("files"))?;
    // An exact copy of the authentic attachment.
    fs::write(tg.join("files/agreement.txt"), crate::demo::AGREEMENT)?;
    // The campaign's photo as a messaging app carries it: encoded again,
    // its EXIF (camera, author, thumbnail) stripped.
    fs::write(
        tg.join("photos/photo_2@05-05-2017.jpg"),
        jpeg(640, 480, 7, &Exif::default())?,
    )?;
    // A "leaked memo" that the dump does not hold.
    fs::write(
        tg.join("files/memo-offshore.txt"),
        "Confidential memo: the campaign moved two million euros to an offshore account in \
         the Bahamas on 2 May 2017, hidden from the electoral commission.",
    )?;
    let msg = |id: u32, time: &str, text: serde_json::Value| json!({"id": id, "type": "message", "date": time, "from": "Leaks 2017", "from_id": "channel1001", "text": text});
    let mut messages = vec![
        msg(
            1,
            "2017-05-05T20:38:00",
            json!("Here it is: the printing contract #MacronLeaks"),
        ),
        msg(
            2,
            "2017-05-05T20:41:00",
            json!("A photo from the campaign's Lyon meeting #MacronLeaks"),
        ),
        msg(
            3,
            "2017-05-05T20:45:00",
            json!(["From the leak: \"The printer delivers 40 000 posters and 200 000 leaflets before 20 April 2017. The campaign pays 2 000 000 euros on delivery\" ", {"type": "hashtag", "text": "#MacronLeaks"}]),
        ),
        msg(
            4,
            "2017-05-05T21:02:00",
            json!(
                "EXCLUSIVE leaked memo: the campaign hid two million euros offshore #MacronLeaks"
            ),
        ),
        msg(
            5,
            "2017-05-05T21:10:00",
            json!("Rain tonight over Paris, clearing tomorrow morning."),
        ),
    ];
    messages[0]["file"] = json!("files/agreement.txt");
    messages[1]["photo"] = json!("photos/photo_2@05-05-2017.jpg");
    messages[3]["file"] = json!("files/memo-offshore.txt");
    fs::write(
        tg.join("result.json"),
        serde_json::to_vec_pretty(
            &json!({"name": "Leaks 2017", "type": "public_channel", "id": 1001, "messages": messages}),
        )?,
    )?;

    let x = dir.join("x/data");
    fs::create_dir_all(&x)?;
    fs::write(
        x.join("account.js"),
        "window.YTD.account.part0 = [{\"account\": {\"username\": \"relay_bot\", \"accountId\": \"9001\"}}]",
    )?;
    let tweets = json!([
        {"tweet": {"id_str": "861", "created_at": "Fri May 05 21:04:00 +0000 2017",
            "full_text": "RT @Leaks2017: EXCLUSIVE leaked memo: the campaign hid two million euros offshore #MacronLeaks",
            "entities": {"urls": []}}},
        {"tweet": {"id_str": "862", "created_at": "Fri May 05 21:15:00 +0000 2017",
            "full_text": "Consignes pour le meeting de Lyon : rendez-vous à 8 h. #MacronLeaks",
            "entities": {"urls": []}}},
    ]);
    fs::write(
        x.join("tweets.js"),
        format!("window.YTD.tweets.part0 = {tweets:#}"),
    )?;
    Ok([tg, dir.join("x")])
}
