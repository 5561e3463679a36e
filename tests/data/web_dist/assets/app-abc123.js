// The web app's stand-in for the server's tests: what `npm run build` writes, in miniature.
document.getElementById("app").textContent = "Œuvre";
