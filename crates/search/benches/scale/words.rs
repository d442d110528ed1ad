//! The corpus's words, written out by hand: real English and French words,
//! roughly most frequent first (function words, everyday and office words,
//! then politics, law and finance, then a tail of rarer words). The generator
//! draws from each list with Zipf-like weights by position, so a word's place
//! here is its frequency rank.

/// English vocabulary, by rough frequency.
pub const ENGLISH: &str = "
    the of and to a in is that for it as was with be by on not he i this are or his from at
    which but have an they you were her she there one all we their been has when who will more
    no if out so said what up its about into than them can only other new some could time these
    two may then do first any my now such like our over man me even most made after also did
    many before must through back years where much your way well down should because each just
    those people how too little state good very make world still own see men work long get here
    between both life being under never day same another know while last might us great old year
    off come since against go came right used take three himself few house use during without
    again place around however home small found thought went say part once general high upon
    school every does got united left number course war until always away something fact though
    water less public put think almost hand enough far took head yet government system better
    set told nothing night end why called eyes find going look asked later knew point next
    program city business give group toward young days let room president side social given
    present several order national possible rather second face per among form important often
    things looked early white case become large big need four within felt along children saw
    best church ever least power development light thing seemed family interest want members
    mind country area others done turned although open help means sense whole matter perhaps
    itself times law human line above name example action company hands local show whether five
    history gave today either act feet across taken past quite anything seen having death week
    experience body word half really field car words already themselves information tell
    together college shall money period held keep sure free seems political real behind question
    air office making brought whose special heard major problems ago became federal moment study
    available known result street economic boy position reason change south board individual job
    areas society west close turn love community true court force full seem policy please thanks
    meeting project team budget report client contract deadline schedule proposal invoice
    payment agenda minutes draft review approval campaign candidate election press media event
    speech volunteer poll strategy launch platform debate interview statement announcement
    attached attachment email message call phone tomorrow monday tuesday wednesday thursday
    friday weekend morning afternoon evening update document file version comments feedback
    answer reply regards hello dear sorry issue plan details list sent send received forward
    note copy confirm confirmed market price cost costs sales growth revenue profit loss quarter
    annual share shares stock investment investors fund funds bank financial account accounts
    tax taxes rate rates data analysis research results figures numbers total amount percent
    million billion thousand dollars euros director manager staff employee employees partner
    partners customer customers supplier vendor service services product products quality
    support security network software hardware server database website online digital internet
    technology technical design model process management operations production delivery orders
    legal lawyer counsel judge cases rights agreement terms conditions rules regulation
    compliance risk audit control standard standards requirements procedure approved signed
    signature region nation europe france paris london washington brussels berlin avenue
    building floor offices hall center centre station airport hotel restaurant train flight
    travel trip visit tour cash check card credit debt loan spending expenses expense salary
    salaries bonus benefits insurance pension contribution contributions donation donations
    donor donors fundraising dinner lunch breakfast coffee older parents friends friend wife
    husband son daughter brother sister mother father doctor hospital health care medical
    patients students teacher university education training courses class news newspaper
    journalist journalists article articles story stories editor column opinion blog video photo
    photos picture pictures image images television radio channel broadcast conference release
    releases vote votes voters voting ballot polls survey surveys supporters opposition party
    parties leader leaders minister ministers cabinet parliament senate congress deputy mayor
    council committee member start started begin began finish finished complete completed
    continue continued stop stopped move moved changed changes increase increased decrease
    reduced reduce improve improved improvement develop developed build built create created
    weeks month months yesterday hour hours minute seconds date dates late soon recently
    currently issues problem solution solutions answers idea ideas proposals option options
    choice decision decisions discussion discussions conversation talks meetings agree agreed
    disagree accept accepted refuse refused decline declined suggest suggested recommend
    recommended propose proposed request requested require required provide provided prepare
    prepared ready needed urgent necessary difficult easy simple clear quick fast slow final
    initial main basic key critical serious minor significant manage managed handle handled
    organize organized arrange arranged coordinate coordinated contact contacted inform informed
    remind reminder reminders shared discuss discussed explain explained strategic tactics
    messaging communication communications campaigns outreach mobilization rally rallies
    canvassing volunteers activists grassroots movement movements reports reporting summary
    summaries overview briefing briefings memo memos notes presentation presentations slides
    chart charts table tables spreadsheet spreadsheets figure economy jobs unemployment labor
    labour workers unions industry industrial energy climate environment environmental transport
    housing defense defence foreign domestic immigration reform reforms programs programme
    policies plans budgets measure measures laws bill bills amendment amendments private
    personal confidential internal external official specific particular certain various
    different similar questions concern concerns worry worried trouble risks threat threats
    danger crisis emergency incident incidents contracts deal deals offer offers bid bids tender
    tenders purchase purchases sale prices quote quotes estimate estimates teams groups
    department departments division unit units branch branches headquarters subsidiary firm
    firms agency agencies organization organisation north east central northern southern eastern
    western international global regional password login access user users admin administrator
    servers backup backups systems upgrade install installed error errors bug bugs fix fixed
    calendar appointment appointments availability slot slots invitation invite invited attend
    attending attendance participants participant guests guest speaker speakers record records
    archive archives files folder folders copies original originals scan scanned print printed
    paper papers thank appreciate appreciated welcome congratulations hope hoping wish wishes
    glad happy pleased excited proud afraid approve reject rejected reviewed checked verify
    verified validate validated sign deliver delivered shipping shipment shipped package
    packages box boxes warehouse inventory supply supplies speeches remarks talking points
    drafts rewrite edits edit edited wording text texts language tone debates opponent opponents
    rival rivals challenger incumbent primary primaries runoff round rounds fundraiser
    fundraisers pledge pledges sponsor sponsors sponsorship grant grants lawyers attorney
    attorneys litigation lawsuit lawsuits settlement settlements claim claims dispute disputes
    arbitration revenues margin margins forecast forecasts target targets objective objectives
    goal goals performance hire hired hiring recruit recruited recruitment candidates applicant
    applicants resume interviews positions role roles site page pages link links domain domains
    hosting traffic visitors analytics newsletter subscribers mailing twitter facebook followers
    posts post tweet tweets channels content flights tickets ticket booking bookings reservation
    reservations hotels venue venues weather rain snow sun holiday holidays vacation leave
    absence sick coverage headline headlines reporter reporters correspondent correspondents
    regions district districts territory territories province provinces county counties states
    rapid gradual steady sudden massive huge tiny modest substantial considerable accurate
    inaccurate correct incorrect wrong false misleading fair unfair balanced argument arguments
    evidence proof facts statements forwarded attach attaching enclosed enclose below following
    previous latest quarterly monthly weekly daily yearly annually regularly occasionally
    frequently rarely transparency accountability integrity ethics ethical conflict conflicts
    interests audits auditor auditors accounting accountant accountants ledger ledgers balance
    sheet sheets estimated calculation calculations assumption assumptions scenario scenarios
    projection projections negotiation negotiations negotiate negotiated compromise concession
    concessions partnership partnerships alliance alliances coalition coalitions cooperation
    collaboration shareholder shareholders stakeholder stakeholders directors chairman
    chairwoman executive executives merger mergers acquisition acquisitions takeover valuation
    valuations dividend dividends equity subpoena affidavit testimony witness witnesses
    deposition hearing hearings verdict appeal appeals leak leaks leaked hacker hackers breach
    breaches phishing malware virus viruses encryption encrypted vulnerability vulnerabilities
    patch patches firewall antivirus credentials authentication token tokens infrastructure
    pipeline pipelines bridge bridges railway railways highway highways port ports agriculture
    farmers farming rural urban suburban neighborhood neighborhoods village villages
    pharmaceutical vaccine vaccines treatment treatments clinic clinics nurse nurses surgeon
    surgeons symposium seminar seminars workshop workshops webinar conferences summit summits
    forum forums memorandum addendum appendix annex annexes clause clauses provision provisions
    paragraph reimbursement reimbursements allowance allowances diem receipt receipts voucher
    vouchers spokesperson spokesman spokeswoman chief adviser advisers advisor advisors
    itinerary itineraries logistics catering transportation accommodation accommodations
    questionnaire evaluation evaluations assessment assessments benchmark benchmarks turnout
    electorate constituency constituencies precinct precincts ballots absentee canvass manifesto
    priorities vision values principles commitment commitments harbor orchard velvet lantern
    compass meadow ribbon glacier canyon thunder whisper marble copper granite willow falcon
    sparrow lighthouse tapestry porcelain saffron cinnamon vinegar parchment quill almanac
    telescope carousel labyrinth pendulum chandelier gazebo terrace balcony attic cellar chimney
    ambiguous meticulous pragmatic resilient tenacious candid prudent frugal lavish eloquent
    blunt brisk meager ample scarce abundant obsolete novel reconcile scrutinize corroborate
    substantiate allocate reallocate expedite postpone reschedule overrule underwrite outsource
    streamline consolidate bylaws quorum proxy proxies caucus filibuster veto referendum
    plebiscite gerrymandering incumbency redistricting escrow collateral liquidity solvency
    insolvency bankruptcy receivership underwriting arbitrage hedge hedging derivative
    derivatives embargo tariff tariffs sanctions quota quotas subsidy subsidies levy levies
    excise duty customs anomaly anomalies discrepancy discrepancies irregularity irregularities
    omission omissions oversight loophole loopholes grievance grievances complaint complaints
    ombudsman tribunal tribunals injunction injunctions moratorium
";

/// French vocabulary (accents kept), by rough frequency.
pub const FRENCH: &str = "
    de la le et les des en un une du est que pour qui dans a par pas au sur ne plus se il ce
    sont avec son elle nous vous on mais ou ses comme été cette leur tout aux fait être sa y lui
    bien deux ont sans aussi très même entre encore avait peut tous faire autres dont alors
    leurs depuis après donc avant ces peu là ainsi sous non mon moi fois temps ans année jour
    jours faut contre dit rien toujours quand trop celui monde vie pays ils elles notre nos
    votre vos dire voir avoir aller venir prendre mettre savoir pouvoir vouloir falloir devoir
    croire trouver donner parler homme femme enfant enfants personne personnes gens ville place
    travail question cas part partie côté point fin moment heure heures semaine semaines mois
    matin soir nuit midi lundi mardi mercredi jeudi vendredi samedi dimanche demain hier
    maintenant bientôt déjà jamais souvent parfois ensuite enfin merci bonjour bonsoir
    cordialement amitiés salut cher chère chers madame monsieur mesdames messieurs équipe
    réunion projet budget rapport client clients contrat délai calendrier proposition facture
    paiement ordre compte rendu document documents fichier pièce jointe version commentaires
    retour réponse campagne candidat candidate élection élections presse médias événement
    discours donateur donateurs bénévole bénévoles sondage sondages stratégie lancement
    programme débat entretien communiqué annonce militants mouvement adhérents comité meeting
    président ministre gouvernement assemblée sénat député députés maire conseil région
    département commune état nation république politique parti partis majorité opposition
    électeurs vote votes scrutin circonscription candidature investiture économie emploi chômage
    travailleurs syndicats entreprise entreprises industrie énergie climat environnement
    transports logement sécurité défense étranger immigration santé hôpital hôpitaux médecin
    médecins école écoles enseignants université éducation formation argent euros millions
    milliards dépenses recettes impôts taxe taxes dette déficit croissance investissement
    investissements banque banques finances financement fonds prix coût coûts chiffre chiffres
    total montant pourcentage salaire salaires réunions rendez invitation invités participants
    intervenants salle lieu adresse date dates horaire horaires disponible disponibles
    disponibilité confirmer confirmé confirmation inscription inscriptions envoyer envoyé envoie
    reçu recevoir transmettre transmis relire relu valider validé vérifier vérifié préparer
    préparé organiser organisé prévoir prévu proposer proposé demander demandé répondre répondu
    rappeler rappel appeler appel important urgent nécessaire possible difficile facile simple
    clair rapide lent final premier dernière dernier prochaine prochain nouvelle nouveau
    nouveaux nouvelles grand grande grands grandes petit petite petits petites bon bonne bons
    bonnes mauvais journaliste journalistes article articles journal journaux rédaction
    rédacteur éditorial tribune interview émission télévision radio chaîne reportage photo
    photos vidéo vidéos image images direct plateau société associations association fondation
    collectif réseau réseaux partenaires partenaire partenariat collaboration coopération
    alliance soutien soutiens appui accord accords négociation négociations compromis juridique
    avocat avocats juge juges tribunal justice procès plainte plaintes enquête enquêtes droit
    droits loi lois décret décrets règlement règles procédure procédures conformité contrôle
    contrôles audit directeur directrice responsable responsables collaborateurs collaborateur
    salariés salarié employés employé stagiaire stagiaires cadre cadres conseiller conseillère
    conseillers chargé chargée mission missions service services paris lyon marseille toulouse
    bordeaux lille nantes strasbourg nice rennes europe européen européenne bruxelles berlin
    londres allemagne italie espagne belgique voyage déplacement déplacements train gare avion
    vol vols billet billets hôtel hôtels réservation réservations trajet visite visites tournée
    logistique transport hébergement repas dîner déjeuner café chose choses idée idées problème
    problèmes solution solutions sujet sujets dossier dossiers points thème thèmes priorité
    priorités objectif objectifs résultat résultats bilan analyse analyses étude études fais
    faisons faites font faisait ferai ferons dois doit devons devez doivent devrait pourrait
    pourrons pouvez peux peuvent veux veut voulons voulez veulent sais sait savons savez savent
    vais va allons allez vont irai viens vient venons venez viennent prends prend prenons prenez
    prennent mets met mettons mettez mettent vois voit voyons voyez voient donne donnons donnez
    donnent années trimestre trimestres échéance échéances délais retard retards avance urgence
    rapidement vite tard tôt actuellement récemment prochainement texte textes note notes
    synthèse synthèses présentation présentations diaporama tableau tableaux graphique
    graphiques annexe annexes versions brouillon relecture correction corrections modification
    modifications fichiers partagé lien liens site internet page pages plateforme application
    logiciel serveur données base sauvegarde accès mot passe identifiant comptes messagerie
    courriel courriels mail mails informatique piratage pirate pirates fuite fuites attaque
    attaques virus sécurisé chiffrement protection confidentialité confidentiel confidentielle
    interne externe officiel officielle public publique privé privée réforme réformes mesure
    mesures propositions projets plan plans action actions politiques décision décisions
    orientation orientations engagement engagements promesse promesses jeunes jeunesse étudiants
    étudiant retraités retraite retraites familles famille parents femmes hommes citoyens
    citoyennes habitants population agriculteurs commerçants artisans entrepreneurs quartier
    quartiers territoire territoires rural rurale urbain urbaine banlieue village villages
    métropole agglomération province outre mer littoral montagne accueil accueillir rencontre
    rencontres rencontrer échange échanges échanger discussion discussions débattre débats
    concertation consultation dialogue écoute heureux heureuse content contente ravi ravie
    désolé désolée inquiet inquiète surpris surprise fier fière déçu déçue communication
    communications message messages éléments langage argumentaire argumentaires riposte tweet
    tweets sociaux abonnés publication publications contenu contenus collecte dons don
    cotisation cotisations trésorier trésorerie comptabilité comptable comptables facturation
    factures devis fournisseur fournisseurs prestataire prestataires commande commandes
    livraison candidats sortant primaire primaires tour tours second sondeur sondeurs intentions
    estimation estimations projection projections tendance tendances vraiment beaucoup assez
    moins tellement plutôt presque seulement surtout notamment également pourtant cependant
    toutefois néanmoins ailleurs ensemble préfecture préfet préfets rectorat recteur mairie
    mairies municipaux régionaux départementaux intercommunalité collectivités collectivité
    pouvoirs institution institutions constitution constitutionnel ministère ministères cabinet
    cabinets administration administrations fonction fonctionnaires agenda verbal relevé
    conclusions suite suites décider arbitrer arbitrage validation signature signatures
    parapheur meilleur meilleure meilleurs pire mieux moindre certain certaine certains
    certaines plusieurs quelques chaque aucun aucune autre tel telle tels telles lanterne verger
    velours boussole prairie ruban glacier falaise tonnerre murmure marbre cuivre granit saule
    faucon moineau phare tapisserie porcelaine safran cannelle vinaigre parchemin plume almanach
    télescope manège labyrinthe pendule lustre kiosque terrasse balcon grenier cave cheminée
    ambigu méticuleux pragmatique tenace prudent économe somptueux éloquent franc rare abondant
    obsolète inédit rapprocher examiner corroborer étayer allouer répartir accélérer reporter
    décaler déléguer externaliser simplifier consolider mutualiser statuts quorum procuration
    procurations motion amendement amendements référendum redécoupage cumul mandat mandats
    suppléant suppléante séquestre garantie garanties liquidité solvabilité faillite
    redressement liquidation souscription spéculation couverture produits dérivés embargo douane
    douanes sanctions quota quotas subvention subventions redevance accise octroi anomalie
    anomalies écart écarts irrégularité irrégularités omission omissions lacune lacunes faille
    failles grief griefs réclamation réclamations médiateur injonction moratoire contentieux
    recours pourvoi cassation écologie écologique transition renouvelable renouvelables
    nucléaire éolien éolienne solaire carbone émissions pollution biodiversité numérique
    innovation recherche chercheurs laboratoire laboratoires startup startups incubateur brevet
    brevets technologie technologies laïcité fraternité égalité liberté solidarité dignité
    sociale assurance maladie allocations quinquennat septennat mandature législature
    législatives présidentielle présidentielles municipales régionales européennes cantonales
    sénatoriales maison maisons rue rues route routes pont ponts bâtiment bâtiments bureau
    bureaux étage étages porte portes fenêtre fenêtres table chaise ordinateur téléphone
    portable imprimante écran clavier voiture voitures vélo bus métro taxi parking autoroute
    aéroport port navire bateau camion eau feu terre air soleil lune ciel océan fleuve rivière
    lac forêt arbre arbres fleur fleurs jardin champ champs pluie neige vent orage chaleur froid
    météo saison printemps automne hiver vacances congé congés absence tête main mains yeux
    bouche coeur corps voix regard visage sourire livre livres lettre lettres mots phrase
    phrases carnet cahier stylo crayon papier papiers enveloppe colis courrier histoire avenir
    passé présent futur mémoire souvenir souvenirs tradition culture cultures patrimoine musée
    musées théâtre cinéma concert musique art artistes sport sports football rugby tennis match
    matchs stade joueurs entraîneur victoire défaite championnat nourriture pain vin fromage
    viande poisson légumes fruits marché marchés magasin magasins boutique commerce commerces
    ouvrir ouvert ouverte fermer fermé fermée commencer commencé finir fini terminer terminé
    continuer continué arrêter arrêté changer changé augmenter augmenté baisser baissé améliorer
    amélioré gagner gagné perdre perdu chercher cherché trouvé garder gardé laisser laissé
    porter porté tenir tenu suivre suivi vivre vécu écrire écrit lire lu penser pensé cru
    sembler semblé paraître paru comprendre compris apprendre appris connaître connu reconnaître
    reconnu attendre attendu entendre entendu aider aidé soutenir soutenu défendre défendu
    attaquer attaqué critiquer critiqué dénoncer dénoncé annoncer annoncé présenter présenté
    expliquer expliqué sortir sorti entrer entré partir arriver arrivé rester resté passer
    tomber tombé monter monté descendre descendu revenir revenu retourner retourné acheter
    acheté vendre vendu payer payé coûter coûté dépenser dépensé économiser économisé financer
    financé rembourser remboursé utiliser utilisé créer créé construire construit produire
    produit développer développé lancer lancé oeuvre installer installé inviter invité convier
    convié participer participé assister assisté intervenir intervenu animer animé coordonner
    coordonné piloter piloté diffuser diffusé publier publié imprimer imprimé signer signé
    corriger corrigé modifier modifié supprimer supprimé ajouter ajouté raison raisons cause
    causes effet effets conséquence conséquences risque risques chance chances occasion
    occasions possibilité possibilités manière façon moyen moyens méthode méthodes outil outils
    système systèmes modèle modèles processus structure structures organisation organisations
    niveau niveaux nombre nombres taux parts moitié quart tiers double triple totalité minorité
    vrai vraie faux fausse juste injuste exact exacte précis précise général générale
    particulier particulière personnel personnelle long longue court courte haut haute bas basse
    fort forte faible plein pleine vide libre seul seule propre national nationale nationaux
    local locale locaux régional régionale international internationale mondial mondiale
    européens social économique économiques financier financière financiers fiscal fiscale
    budgétaire budgétaires lente complexe compliqué compliquée sérieux sérieuse grave graves
    sensible sensibles délicat délicate ancien ancienne anciens jeune vieux vieille actuel
    actuelle précédent précédente suivant suivante cet veille lendemain hebdomadaire mensuel
    mensuelle annuel annuelle quotidien quotidienne opinion électorat abstention participation
    bulletin bulletins urne urnes dépouillement tract tracts affiche affiches affichage boîtage
    phoning meetings rassemblement rassemblements manifestation manifestations cortège
    porteparole délégué déléguée délégués référent référente référents animateur animatrice
    animateurs coordinateur coordinatrice allocution intervention interventions tribunes
    chronique chroniques déclaration déclarations réaction réactions polémique polémiques
    ralliement ralliements investitures parrainage parrainages élu élus élue élues sortants
";

/// English fixed expressions, most frequent first: phrase queries pick
/// from these, so every phrase has hits.
pub const ENGLISH_EXPRESSIONS: &[&str] = &[
    "as soon as possible",
    "let me know",
    "next steps",
    "looking forward",
    "in the meantime",
    "on behalf of",
    "for your information",
    "conference call",
    "press release",
    "follow up",
    "board of directors",
    "action items",
    "going forward",
    "in charge of",
    "social media",
    "talking points",
    "chief of staff",
    "first round",
    "second round",
    "prime minister",
    "press conference",
    "public spending",
    "climate change",
    "opinion poll",
    "town hall meeting",
    "campaign headquarters",
    "executive summary",
    "steering committee",
    "human resources",
    "annual report",
    "fiscal year",
    "cash flow",
    "market share",
    "bank transfer",
    "travel expenses",
    "purchase order",
    "terms and conditions",
    "at your earliest convenience",
    "due diligence",
    "bottom line",
    "get out the vote",
    "polling station",
    "foreign affairs",
    "labor market",
    "tax cuts",
    "energy transition",
    "data protection",
    "social security",
    "health insurance",
    "minimum wage",
    "balance sheet",
    "joint venture",
    "legal department",
    "non disclosure agreement",
    "credit card",
    "wire transfer",
    "hotel booking",
    "train tickets",
    "security breach",
    "password reset",
    "two factor authentication",
    "key performance indicators",
    "fact checking",
];

/// French fixed expressions, most frequent first.
pub const FRENCH_EXPRESSIONS: &[&str] = &[
    "dans les meilleurs délais",
    "en pièce jointe",
    "ordre du jour",
    "compte rendu",
    "mise en place",
    "dans le cadre de",
    "au sein de",
    "mise à jour",
    "point presse",
    "communiqué de presse",
    "réseaux sociaux",
    "conférence de presse",
    "prise de parole",
    "tour de table",
    "éléments de langage",
    "directeur de campagne",
    "premier tour",
    "second tour",
    "conseil d'administration",
    "chef de cabinet",
    "quartier général",
    "bureau de vote",
    "projet de loi",
    "pouvoir d'achat",
    "fonction publique",
    "feuille de route",
    "plan d'action",
    "comité de pilotage",
    "prise en charge",
    "sous réserve",
    "en tout état de cause",
    "à titre indicatif",
    "note de frais",
    "bon de commande",
    "virement bancaire",
    "mot de passe",
    "fuite de données",
    "ressources humaines",
    "chiffre d'affaires",
    "rapport annuel",
    "bilan comptable",
    "assurance chômage",
    "sécurité sociale",
    "transition écologique",
    "dette publique",
    "marché du travail",
    "code du travail",
    "impôt sur la fortune",
    "taxe d'habitation",
    "levée de fonds",
    "appel d'offres",
    "cahier des charges",
    "porte à porte",
    "meeting de campagne",
    "sondage d'opinion",
    "liste électorale",
    "prise de décision",
    "carte bleue",
];

/// First names, French then English (people are every first × last pair of
/// their language).
pub const FRENCH_FIRST: &[&str] = &[
    "Jean",
    "Marie",
    "Pierre",
    "Sophie",
    "Nicolas",
    "Camille",
    "Julien",
    "Émilie",
    "François",
    "Hélène",
    "Benoît",
    "Céline",
    "Stéphane",
    "Aurélie",
    "Thibault",
    "Anaïs",
    "Jérôme",
    "Élodie",
    "Guillaume",
    "Clémence",
    "Mathieu",
    "Léa",
    "Sébastien",
    "Chloé",
    "Olivier",
    "Manon",
    "Laurent",
    "Margaux",
    "Vincent",
    "Inès",
    "Alexis",
    "Juliette",
    "Étienne",
    "Pauline",
    "Romain",
    "Amélie",
    "Cédric",
    "Noémie",
    "Frédéric",
    "Océane",
];
/// English first names.
pub const ENGLISH_FIRST: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Margaret",
    "Steven",
    "Sandra",
    "Paul",
    "Ashley",
    "Andrew",
    "Emily",
    "Joshua",
    "Donna",
    "Kevin",
    "Michelle",
    "Brian",
    "Carol",
];
/// French last names.
pub const FRENCH_LAST: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
];
/// English last names.
pub const ENGLISH_LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
    "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker",
    "Collins", "Edwards", "Stewart", "Morris",
];

/// Mail domains, most used first.
pub const DOMAINS: &[&str] = &[
    "gmail.com",
    "en-marche.fr",
    "orange.fr",
    "yahoo.com",
    "hotmail.com",
    "free.fr",
    "outlook.com",
    "sfr.fr",
    "laposte.net",
    "wanadoo.fr",
    "yahoo.fr",
    "hotmail.fr",
    "icloud.com",
    "aol.com",
    "assemblee-nationale.fr",
    "senat.fr",
    "elysee.fr",
    "interieur.gouv.fr",
    "economie.gouv.fr",
    "lemonde.fr",
    "lefigaro.fr",
    "liberation.fr",
    "afp.com",
    "bfmtv.com",
    "france24.com",
    "sciencespo.fr",
    "banque-france.fr",
    "bnpparibas.com",
    "societegenerale.fr",
    "paris.fr",
    "lyon.fr",
    "marseille.fr",
    "avocats-conseil.fr",
    "reuters.com",
    "bbc.co.uk",
    "nytimes.com",
    "ft.com",
    "theguardian.com",
    "acme-corp.com",
    "globex.com",
    "initech.com",
    "umbrella-group.com",
    "harvard.edu",
    "ox.ac.uk",
    "parliament.uk",
    "state.gov",
    "europa.eu",
    "un.org",
    "kpmg.com",
    "deloitte.fr",
];

/// Openings and closings of a French mail (`{}`: the first name).
pub const FRENCH_GREETINGS: &[&str] = &["Bonjour {},", "Cher {},", "Bonsoir {},", "Salut {},"];
/// Closings of a French mail.
pub const FRENCH_CLOSINGS: &[&str] = &[
    "Cordialement,",
    "Bien à vous,",
    "Amitiés,",
    "Bonne journée,",
    "Merci d'avance,",
];
/// Openings of an English mail.
pub const ENGLISH_GREETINGS: &[&str] = &["Hi {},", "Dear {},", "Hello {},", "Good morning {},"];
/// Closings of an English mail.
pub const ENGLISH_CLOSINGS: &[&str] = &[
    "Best regards,",
    "Thanks,",
    "Cheers,",
    "Kind regards,",
    "Best,",
];
