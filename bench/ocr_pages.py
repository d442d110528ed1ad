#!/usr/bin/env python3
"""Pages of known French and English text for bench/ocr.sh, and the
character error rate of what OCR read on them.

  ocr_pages.py make OUT      writes OUT/truth/<page>.txt and the inputs:
                             OUT/in/<variant>-<page>.{pdf,tif}
  ocr_pages.py cer TRUTH_DIR READ_DIR   prints the CER per variant

Variants: clean300 and clean150 (rendered and re-saved as a picture-only
PDF), skew300 (turned 1.5 degrees), jpeg150 (grey noise and JPEG quality
35), fax (1-bit TIFF at 200 dpi). Needs reportlab, Pillow and pdftoppm."""
import io, os, random, subprocess, sys, unicodedata

PAGES = {
    "fr1": """Compte rendu de la réunion du comité de campagne du 14 mars 2017.
Étaient présents : Claire Fontaine, Julien Mercier, Sophie Lambert et Karim Benali.
Le comité a examiné le budget des déplacements pour les six prochaines semaines.
Le montant prévu pour la location des salles s'élève à 48 350 euros, hors taxes.
Madame Lambert rappelle que chaque facture doit porter la référence du meeting
et être validée par le trésorier avant tout paiement. Les dépenses d'impression
des tracts et des affiches sont reportées au budget d'avril. Monsieur Benali
propose de regrouper les commandes auprès d'un seul imprimeur afin d'obtenir
un meilleur prix ; la proposition est adoptée à l'unanimité.
Prochaine réunion : mardi 21 mars à neuf heures, au siège, salle Voltaire.""",
    "fr2": """Objet : confirmation de votre inscription au séminaire régional.
Madame, Monsieur, nous avons le plaisir de vous confirmer votre inscription
au séminaire des responsables locaux qui se tiendra à Lyon les 8 et 9 avril.
L'accueil des participants débutera à huit heures trente. Le déjeuner est
offert ; les frais de transport seront remboursés sur présentation des
justificatifs originaux, dans la limite de 120 euros par personne.
Merci de nous indiquer avant le 31 mars si vous souhaitez être hébergé
à l'hôtel partenaire. Pour toute question, écrivez au secrétariat général.
Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.
Le secrétaire général adjoint, Thomas Girard""",
    "en1": """Minutes of the finance committee meeting held on 2 February 2017.
Present: Margaret Hughes, David Osei, Laura Brennan and Peter Novak.
The committee reviewed the quarterly accounts and the travel expenses of
the regional teams. Total spending for January reached 73,910 pounds, which
is within the approved budget. Ms Brennan asked that every invoice above
five thousand pounds be signed by two members of the committee before it
is paid. The proposal to move the payroll to a new provider was postponed
until the auditors have delivered their report. Mr Novak will circulate a
summary of the three offers received so far by the end of next week.
The next meeting will take place on Thursday 16 February at ten o'clock.""",
    "en2": """Dear Mr Patel, thank you for your letter of 12 January concerning the
delivery of the printed leaflets. We apologise for the delay: the paper
supplier could not meet the original deadline because of a strike at the
port. The full order of 25,000 leaflets and 400 posters was dispatched this
morning and should reach your office on Wednesday. As agreed, we have
applied a discount of fifteen per cent to the invoice, which now amounts to
6,320 pounds including tax. Please check the goods on arrival and let us
know within seven days if anything is damaged or missing. We look forward
to working with you again for the spring campaign.
Yours sincerely, Helen Carter, Customer Service Manager""",
}


def typed_pdf(text):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    t = c.beginText(60, 770)
    t.setFont("DejaVu", 11)
    t.setLeading(17)
    for line in text.splitlines():
        t.textLine(line)
    c.drawText(t)
    c.showPage()
    c.save()
    return buf.getvalue()


def render(pdf, dpi, tmp):
    from PIL import Image
    src = os.path.join(tmp, "src.pdf")
    open(src, "wb").write(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", src,
                    os.path.join(tmp, "r")], check=True)
    return Image.open(os.path.join(tmp, "r.png")).convert("L")


def save_pdf(img, dpi, path, quality=None):
    from PIL import Image
    if quality:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        img = Image.open(io.BytesIO(buf.getvalue()))
    img.save(path, "PDF", resolution=dpi)


def make(out):
    from PIL import Image
    os.makedirs(os.path.join(out, "truth"), exist_ok=True)
    os.makedirs(os.path.join(out, "in"), exist_ok=True)
    tmp = os.path.join(out, "tmp")
    os.makedirs(tmp, exist_ok=True)
    rnd = random.Random(2017)
    for name, text in PAGES.items():
        open(os.path.join(out, "truth", name + ".txt"), "w").write(text)
        pdf = typed_pdf(text)
        p300 = render(pdf, 300, tmp)
        p150 = render(pdf, 150, tmp)
        save_pdf(p300, 300, os.path.join(out, "in", f"clean300-{name}.pdf"))
        save_pdf(p150, 150, os.path.join(out, "in", f"clean150-{name}.pdf"))
        save_pdf(p300.rotate(1.5, resample=Image.BICUBIC, fillcolor=255), 300,
                 os.path.join(out, "in", f"skew300-{name}.pdf"))
        noisy = p150.point(lambda v: v)
        px = noisy.load()
        for y in range(noisy.height):
            for x in range(noisy.width):
                px[x, y] = max(0, min(255, px[x, y] + int(rnd.gauss(0, 18))))
        save_pdf(noisy, 150, os.path.join(out, "in", f"jpeg150-{name}.pdf"), quality=35)
        fax = render(pdf, 200, tmp).point(lambda v: 255 if v > 150 else 0).convert("1")
        fax.save(os.path.join(out, "in", f"fax-{name}.tif"), compression="group4", dpi=(200, 200))


def norm(s):
    s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())


def lev(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(truth_dir, read_dir):
    per = {}
    for f in sorted(os.listdir(read_dir)):
        variant, page = f.rsplit(".", 1)[0].split("-", 1)
        truth = norm(open(os.path.join(truth_dir, page + ".txt")).read())
        got = norm(open(os.path.join(read_dir, f), errors="replace").read())
        e, n = per.get(variant, (0, 0))
        per[variant] = (e + lev(truth, got), n + len(truth))
    for v, (e, n) in sorted(per.items()):
        print(f"{v} {100.0 * e / n:.3f}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        cer(sys.argv[2], sys.argv[3])
