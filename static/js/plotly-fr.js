// Plotly's own words in French (its toolbar and messages): the charts ask
// for locale "fr", which Plotly only knows once it is registered here.
// Loaded after Plotly, or called by a page that loads Plotly later.
(function () {
  "use strict";
  var PF2S = window.PF2S = window.PF2S || {};
  PF2S.plotlyFrench = function () {
    if (!window.Plotly || PF2S.plotlyFrenchDone) { return; }
    window.Plotly.register({
      moduleType: "locale", name: "fr",
      dictionary: {
        "Autoscale": "Échelle automatique",
        "Box Select": "Sélection rectangulaire",
        "Compare data on hover": "Comparer les données au survol",
        "Double-click to zoom back out": "Double-cliquer pour revenir à la vue d'ensemble",
        "Download plot": "Télécharger le graphique",
        "Download plot as a png": "Télécharger le graphique en PNG",
        "Download plot as a svg": "Télécharger le graphique en SVG",
        "Lasso Select": "Sélection au lasso",
        "Pan": "Déplacer",
        "Produced with Plotly.js": "Réalisé avec Plotly.js",
        "Reset": "Réinitialiser",
        "Reset axes": "Réinitialiser les axes",
        "Reset view": "Réinitialiser la vue",
        "Show closest data on hover": "Afficher la donnée la plus proche au survol",
        "Snapshot succeeded": "Image enregistrée",
        "Sorry, there was a problem downloading your snapshot!": "Désolé, l'image n'a pas pu être enregistrée.",
        "Taking snapshot - this may take a few seconds": "Création de l'image : quelques secondes",
        "Toggle Spike Lines": "Afficher ou masquer les lignes de repère",
        "Toggle show closest data on hover": "Afficher ou masquer la donnée au survol",
        "Zoom": "Zoomer",
        "Zoom in": "Zoom avant",
        "Zoom out": "Zoom arrière",
        "Click to enter Plot title": "Cliquer pour saisir le titre",
        "Click to enter X axis title": "Cliquer pour saisir le titre de l'axe X",
        "Click to enter Y axis title": "Cliquer pour saisir le titre de l'axe Y",
        "trace": "série"
      },
      format: {
        days: ["Dimanche", "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi"],
        shortDays: ["Dim", "Lun", "Mar", "Mer", "Jeu", "Ven", "Sam"],
        months: ["Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre", "Octobre",
                 "Novembre", "Décembre"],
        shortMonths: ["Janv", "Févr", "Mars", "Avr", "Mai", "Juin", "Juil", "Août", "Sept", "Oct", "Nov", "Déc"],
        date: "%d/%m/%Y"
      }
    });
    PF2S.plotlyFrenchDone = true;
  };
  PF2S.plotlyFrench();
})();
