// The console's only stylesheet and script, served from this server (no CDN: mpsync runs in
// closed networks). System fonts; tables scroll sideways on narrow screens.
export const CSS = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--ok:#17703a;--bad:#b42318;--warn:#9a6200;--accent:#1f5fbf}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;align-items:center;gap:1.2rem;padding:.6rem 1.2rem;background:#fff;border-bottom:1px solid var(--line);flex-wrap:wrap}
header .brand{font-weight:700}
header nav{display:flex;gap:1rem;flex:1;flex-wrap:wrap}
header nav a{color:var(--fg);text-decoration:none;padding:.2rem 0}
header nav a.on{border-bottom:2px solid var(--accent);font-weight:600}
main{padding:1rem 1.2rem;max-width:1280px;margin:0 auto}
h1{font-size:1.3rem;margin:.3rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
a{color:var(--accent)}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
td.wrap{white-space:normal}
td.snippet{font-size:.85rem;min-width:18rem}mark{background:#fde68a;color:inherit;border-radius:2px}
th{font-weight:600;color:var(--muted);font-size:.85rem}
.badge{display:inline-block;padding:0 .45rem;border-radius:9px;font-size:.8rem;border:1px solid currentColor}
.succeeded,.stored{color:var(--ok)}.failed,.dead{color:var(--bad)}.running,.paused,.throttled,.pending{color:var(--warn)}
.muted{color:var(--muted)}
.flash{background:#eaf3ff;border:1px solid #b9d3f7;padding:.5rem .8rem;border-radius:6px;margin-bottom:1rem}
.error{background:#fdecea;border:1px solid #f3b8b2;padding:.5rem .8rem;border-radius:6px;margin-bottom:1rem}
form.inline{display:inline}
button,input,select{font:inherit}
button{padding:.2rem .6rem;border:1px solid var(--line);border-radius:4px;background:#fff;cursor:pointer}
button.primary{background:var(--accent);color:#fff;border-color:var(--accent)}
.filters{display:flex;gap:.5rem;flex-wrap:wrap;align-items:end;margin-bottom:.8rem}
.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}
.login{max-width:360px;margin:12vh auto}.login input{width:100%;padding:.4rem;margin:.3rem 0 .8rem}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dl.kv dt{color:var(--muted)}
iframe.article{width:100%;height:70vh;border:1px solid var(--line);border-radius:6px;background:#fff}
.pager{display:flex;gap:1rem;margin-top:.8rem}
.actions,.media,.quota{margin:.8rem 0}
img.thumb{object-fit:cover;border-radius:3px}
`;

// Progressive enhancement: pages marked data-refresh reload their <main> in place; without
// JavaScript every page still works (links, forms, a reload shows the same).
export const JS = `
(function(){
  var m=document.querySelector('main[data-refresh]');
  if(!m)return;
  var every=Number(m.getAttribute('data-refresh'))*1000;
  setInterval(function(){
    if(document.hidden)return;
    fetch(location.href,{credentials:'same-origin'}).then(function(r){return r.ok?r.text():null}).then(function(t){
      if(!t)return;
      var d=new DOMParser().parseFromString(t,'text/html').querySelector('main');
      if(d)m.innerHTML=d.innerHTML;
    }).catch(function(){});
  },every);
})();
`;
