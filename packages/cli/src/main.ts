console.log("michat CLI: coming");
