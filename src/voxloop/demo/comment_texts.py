"""What customers write about each theme, per language and tone (neg/mid/pos); composed into
comments by `voxloop.demo.comments`."""

NEG, MID, POS = "neg", "mid", "pos"

# theme → locale → tone → sentences
THEMES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "queue": {
        "en": {
            NEG: (
                "The queue at the till took almost 20 minutes.",
                "Only one checkout open on a Saturday, again.",
                "Waited ages to pay, nobody opened another till.",
            ),
            MID: ("A bit of a wait at the till but it moved.",),
            POS: (
                "No queue at all, in and out in five minutes.",
                "They opened a second till as soon as the line grew.",
            ),
        },
        "zh-hans": {
            NEG: (
                "结账排队排了将近二十分钟。",
                "周六又只开了一个收银台。",
                "付款等了很久，也没人多开一个收银台。",
            ),
            MID: ("收银台要等一会儿，不过队伍走得还算快。",),
            POS: ("完全不用排队，五分钟就买好了。", "人一多马上就加开了收银台。"),
        },
        "ja": {
            NEG: (
                "レジで20分近く待たされました。",
                "土曜日なのにまたレジが一つしか開いていませんでした。",
                "会計までかなり待ったのに、レジを増やしてくれませんでした。",
            ),
            MID: ("レジで少し待ちましたが、流れは悪くなかったです。",),
            POS: (
                "レジに列がなく、5分で買い物が終わりました。",
                "列が伸びるとすぐに別のレジを開けてくれました。",
            ),
        },
        "ro": {
            NEG: (
                "Am stat aproape 20 de minute la coadă la casă.",
                "Sâmbătă și doar o casă deschisă, din nou.",
                "Am așteptat o veșnicie să plătesc, nimeni n-a deschis altă casă.",
            ),
            MID: ("Puțină așteptare la casă, dar a mers repede.",),
            POS: (
                "Nicio coadă, am terminat în cinci minute.",
                "Au deschis imediat încă o casă când s-a format coada.",
            ),
        },
    },
    "staff": {
        "en": {
            NEG: (
                "Staff were chatting and ignored me when I asked for help.",
                "Nobody on the floor to answer a simple question.",
            ),
            MID: ("Staff were polite but clearly too busy.",),
            POS: (
                "The staff were really friendly and helpful.",
                "Great advice from the team, they knew the products well.",
            ),
        },
        "zh-hans": {
            NEG: ("店员只顾聊天，我请他们帮忙却没人理。", "店里找不到人回答一个简单的问题。"),
            MID: ("店员很有礼貌，但明显太忙了。",),
            POS: ("店员非常热情，也很乐于帮忙。", "员工很懂产品，给了很好的建议。"),
        },
        "ja": {
            NEG: (
                "店員さん同士で話していて、声をかけても対応してもらえませんでした。",
                "簡単な質問をしたくても売り場に誰もいませんでした。",
            ),
            MID: ("店員さんは丁寧でしたが、忙しすぎる様子でした。",),
            POS: (
                "スタッフの方がとても親切で助かりました。",
                "商品に詳しく、的確なアドバイスをいただきました。",
            ),
        },
        "ro": {
            NEG: (
                "Angajații vorbeau între ei și m-au ignorat când am cerut ajutor.",
                "Nimeni prin magazin care să răspundă la o întrebare simplă.",
            ),
            MID: ("Personalul a fost politicos, dar evident prea ocupat.",),
            POS: (
                "Personalul a fost foarte prietenos și de ajutor.",
                "Sfaturi excelente, echipa cunoaște bine produsele.",
            ),
        },
    },
    "price": {
        "en": {
            NEG: (
                "Prices have gone up a lot this year.",
                "Too expensive compared with other shops nearby.",
            ),
            MID: ("Prices are fair, nothing special.",),
            POS: (
                "Good value for money and the offers are genuine.",
                "The loyalty discounts make a real difference.",
            ),
        },
        "zh-hans": {
            NEG: ("今年价格涨了不少。", "和附近其他商店比起来太贵了。"),
            MID: ("价格还算合理，没什么特别的。",),
            POS: ("性价比很高，优惠也很实在。", "会员折扣真的很划算。"),
        },
        "ja": {
            NEG: ("今年に入ってかなり値上がりしました。", "近くの他のお店と比べて高すぎます。"),
            MID: ("価格は妥当だと思いますが、特に安くはありません。",),
            POS: ("コスパが良く、セールも本当にお得です。", "会員割引がとても助かります。"),
        },
        "ro": {
            NEG: (
                "Prețurile au crescut mult anul acesta.",
                "Prea scump față de alte magazine din zonă.",
            ),
            MID: ("Prețuri corecte, nimic special.",),
            POS: (
                "Raport calitate-preț foarte bun, ofertele sunt reale.",
                "Reducerile de fidelitate chiar contează.",
            ),
        },
    },
    "cleanliness": {
        "en": {
            NEG: (
                "The store was messy and the fitting rooms were dirty.",
                "Boxes everywhere in the aisles, it felt neglected.",
            ),
            MID: ("Clean enough, a few untidy shelves.",),
            POS: (
                "Spotless store, everything neatly arranged.",
                "Always clean and well organised.",
            ),
        },
        "zh-hans": {
            NEG: ("店里很乱，试衣间也很脏。", "过道里到处堆着箱子，感觉没人管。"),
            MID: ("还算干净，有几个货架有点乱。",),
            POS: ("店里一尘不染，商品摆放整齐。", "一直都很干净，井井有条。"),
        },
        "ja": {
            NEG: (
                "店内が散らかっていて、試着室も汚れていました。",
                "通路に段ボールが置きっぱなしで、管理されていない印象です。",
            ),
            MID: ("おおむね清潔ですが、棚が少し乱れていました。",),
            POS: (
                "店内がとても清潔で、商品もきれいに並んでいました。",
                "いつも清潔で整理整頓されています。",
            ),
        },
        "ro": {
            NEG: (
                "Magazinul era dezordonat, iar cabinele de probă murdare.",
                "Cutii peste tot pe culoare, pare lăsat în paragină.",
            ),
            MID: ("Destul de curat, câteva rafturi în dezordine.",),
            POS: ("Magazin impecabil, totul aranjat frumos.", "Mereu curat și bine organizat."),
        },
    },
    "availability": {
        "en": {
            NEG: (
                "Half of what I came for was out of stock.",
                "The shelves were empty and nobody knew when stock would arrive.",
            ),
            MID: ("Found most things, a couple were missing.",),
            POS: (
                "Everything I needed was in stock.",
                "Great range, always find what I'm looking for.",
            ),
        },
        "zh-hans": {
            NEG: ("我要买的东西一半都缺货。", "货架空空的，也没人知道什么时候补货。"),
            MID: ("大部分东西都买到了，少了几样。",),
            POS: ("需要的东西都有货。", "商品种类丰富，总能找到想要的。"),
        },
        "ja": {
            NEG: (
                "買いに来た商品の半分が在庫切れでした。",
                "棚が空っぽで、入荷時期も誰も分かりませんでした。",
            ),
            MID: ("ほとんどの商品はありましたが、いくつか欠品していました。",),
            POS: (
                "必要なものがすべてそろっていました。",
                "品揃えが豊富で、いつも欲しいものが見つかります。",
            ),
        },
        "ro": {
            NEG: (
                "Jumătate din ce căutam nu era pe stoc.",
                "Rafturile goale și nimeni nu știa când vine marfa.",
            ),
            MID: ("Am găsit aproape tot, lipseau câteva produse.",),
            POS: ("Am găsit tot ce îmi trebuia.", "Gamă foarte bună, găsesc mereu ce caut."),
        },
    },
    "checkout": {
        "en": {
            NEG: (
                "The self-checkout kept asking for help and the card reader failed.",
                "Contactless payment did not work at two tills.",
            ),
            MID: ("Self-checkout works, but it is slow.",),
            POS: ("Self-checkout was quick and easy.", "Paying with the app was seamless."),
        },
        "zh-hans": {
            NEG: ("自助结账机一直报错，刷卡也失败了。", "两个收银台都不能用非接触支付。"),
            MID: ("自助结账能用，就是有点慢。",),
            POS: ("自助结账又快又方便。", "用应用付款非常顺畅。"),
        },
        "ja": {
            NEG: (
                "セルフレジが何度もエラーになり、カードも読み取れませんでした。",
                "2台のレジでタッチ決済が使えませんでした。",
            ),
            MID: ("セルフレジは使えますが、少し遅いです。",),
            POS: ("セルフレジが速くて簡単でした。", "アプリでの支払いがとてもスムーズでした。"),
        },
        "ro": {
            NEG: (
                "Casa self-service cerea mereu ajutor, iar cititorul de card n-a mers.",
                "Plata contactless nu a funcționat la două case.",
            ),
            MID: ("Casa self-service merge, dar e lentă.",),
            POS: (
                "Casa self-service a fost rapidă și simplă.",
                "Plata din aplicație a mers perfect.",
            ),
        },
    },
    "quality": {
        "en": {
            NEG: ("The product broke after two weeks.", "Quality has really gone down lately."),
            MID: ("Quality is okay for the price.",),
            POS: (
                "Excellent quality, it lasts for years.",
                "The own-brand products are surprisingly good.",
            ),
        },
        "zh-hans": {
            NEG: ("产品用了两周就坏了。", "最近质量明显下降了。"),
            MID: ("就这个价格来说，质量还可以。",),
            POS: ("质量非常好，能用很多年。", "自有品牌的产品出乎意料地好。"),
        },
        "ja": {
            NEG: ("2週間で商品が壊れてしまいました。", "最近、品質が明らかに落ちています。"),
            MID: ("価格相応の品質だと思います。",),
            POS: (
                "品質が素晴らしく、長く使えます。",
                "プライベートブランドの商品が意外と良いです。",
            ),
        },
        "ro": {
            NEG: (
                "Produsul s-a stricat după două săptămâni.",
                "Calitatea a scăzut mult în ultima vreme.",
            ),
            MID: ("Calitatea e în regulă pentru preț.",),
            POS: (
                "Calitate excelentă, ține ani de zile.",
                "Produsele marcă proprie sunt surprinzător de bune.",
            ),
        },
    },
    "online": {
        "en": {
            NEG: (
                "The app logs me out every time and the delivery was three days late.",
                "Ordered online, the parcel arrived damaged.",
            ),
            MID: ("The website is fine, delivery could be faster.",),
            POS: (
                "The app is easy to use and delivery is always on time.",
                "Click and collect was ready within the hour.",
            ),
        },
        "zh-hans": {
            NEG: ("应用总是自动退出，配送还晚了三天。", "网上下单，包裹送到时已经破损。"),
            MID: ("网站还行，配送可以再快一点。",),
            POS: ("应用很好用，配送总是准时。", "线上下单门店自提，一小时内就备好了。"),
        },
        "ja": {
            NEG: (
                "アプリが毎回ログアウトされ、配送も3日遅れました。",
                "ネットで注文した荷物が破損して届きました。",
            ),
            MID: ("サイトは問題ありませんが、配送がもう少し早いと助かります。",),
            POS: (
                "アプリが使いやすく、配送もいつも時間通りです。",
                "店舗受け取りが1時間以内に準備されていました。",
            ),
        },
        "ro": {
            NEG: (
                "Aplicația mă deconectează mereu, iar livrarea a întârziat trei zile.",
                "Am comandat online și coletul a ajuns deteriorat.",
            ),
            MID: ("Site-ul e în regulă, livrarea ar putea fi mai rapidă.",),
            POS: (
                "Aplicația e ușor de folosit și livrarea vine mereu la timp.",
                "Comanda cu ridicare din magazin a fost gata într-o oră.",
            ),
        },
    },
    "support_speed": {
        "en": {
            NEG: (
                "It took five days to get a first answer to my ticket.",
                "I had to chase support three times before anyone replied.",
            ),
            MID: ("Resolved in the end, but it took longer than promised.",),
            POS: (
                "Answered within the hour and fixed the same day.",
                "Fast, clear and no need to follow up.",
            ),
        },
        "zh-hans": {
            NEG: ("提交工单五天后才收到第一次回复。", "我催了三次才有人回复。"),
            MID: ("最后解决了，但比承诺的时间长。",),
            POS: ("一小时内就回复了，当天就解决了。", "响应迅速，说明清楚，不需要再跟进。"),
        },
        "ja": {
            NEG: (
                "問い合わせへの最初の返信まで5日もかかりました。",
                "3回催促してようやく返事が来ました。",
            ),
            MID: ("最終的には解決しましたが、約束より時間がかかりました。",),
            POS: (
                "1時間以内に返信があり、その日のうちに解決しました。",
                "対応が早く分かりやすく、追加の連絡も不要でした。",
            ),
        },
        "ro": {
            NEG: (
                "Au trecut cinci zile până la primul răspuns la tichet.",
                "A trebuit să insist de trei ori până mi-a răspuns cineva.",
            ),
            MID: ("S-a rezolvat până la urmă, dar a durat mai mult decât s-a promis.",),
            POS: (
                "Răspuns într-o oră și rezolvat în aceeași zi.",
                "Rapid, clar și fără să mai revin.",
            ),
        },
    },
    "support_knowledge": {
        "en": {
            NEG: (
                "I was passed between three agents and had to explain everything again.",
                "The first reply clearly had not read my question.",
            ),
            MID: ("Helpful, though the documentation they sent was out of date.",),
            POS: (
                "The engineer understood our setup straight away.",
                "Knowledgeable and proactive, they even spotted a second issue.",
            ),
        },
        "zh-hans": {
            NEG: ("我被转给了三个客服，每次都要重新解释。", "第一次回复显然没看懂我的问题。"),
            MID: ("挺有帮助的，不过发来的文档已经过时了。",),
            POS: ("工程师一下子就理解了我们的环境。", "专业又主动，还顺便发现了另一个问题。"),
        },
        "ja": {
            NEG: (
                "担当者が3回も変わり、そのたびに最初から説明しなければなりませんでした。",
                "最初の返信は明らかに質問を読んでいない内容でした。",
            ),
            MID: ("助かりましたが、送られてきた資料が古いものでした。",),
            POS: (
                "エンジニアの方がすぐに当社の環境を理解してくれました。",
                "知識が豊富で、別の問題まで先回りして見つけてくれました。",
            ),
        },
        "ro": {
            NEG: (
                "Am fost pasat între trei agenți și a trebuit să explic totul de la capăt.",
                "Primul răspuns arăta clar că nu mi-au citit întrebarea.",
            ),
            MID: ("De ajutor, deși documentația trimisă era învechită.",),
            POS: (
                "Inginerul a înțeles imediat configurația noastră.",
                "Competenți și proactivi, au observat chiar și o a doua problemă.",
            ),
        },
    },
}
