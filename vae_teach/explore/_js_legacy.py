"""The JavaScript and CSS of the kernel-free explorers (see ``vae_teach.web``).

Plain JS, no libraries. ``CORE`` decodes the embedded weights and runs the MLP
decoder (Linear, ReLU, ..., Linear, then sigmoid or clamp) with typed arrays;
each ``VIEWS`` entry builds one explorer inside its root element. Every
explorer's script is wrapped in its own function scope, so several explorers
on one page share no names.
"""

CSS = """
.vt-explorer{color:var(--pst-color-text-base,#222);background:var(--pst-color-surface,var(--pst-color-background,#fff));
 border:1px solid var(--pst-color-border,#bbb);border-radius:6px;padding:.75rem 1rem;margin:1rem 0;font-size:.9rem;line-height:1.4}
.vt-explorer .vt-row{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
.vt-explorer .vt-controls{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;margin:.25rem 0 .5rem}
.vt-explorer label{display:inline-flex;gap:.4rem;align-items:center}
.vt-explorer select,.vt-explorer input[type=range]{color:var(--pst-color-text-base,#222);
 background:var(--pst-color-background,#fff);border:1px solid var(--pst-color-border,#999);border-radius:4px;padding:.1rem .25rem}
.vt-explorer input[type=range]{accent-color:var(--pst-color-primary,#1a73e8);padding:0}
.vt-explorer canvas{display:block;max-width:100%}
.vt-explorer canvas.vt-img{image-rendering:pixelated;image-rendering:crisp-edges;background:#000}
.vt-explorer canvas.vt-map{cursor:crosshair;touch-action:none;border:1px solid var(--pst-color-border,#bbb)}
.vt-explorer :focus-visible{outline:3px solid var(--pst-color-primary,#1a73e8);outline-offset:2px}
.vt-explorer .vt-name{font-weight:600;min-width:3.5em;display:inline-block}
.vt-explorer .vt-note{color:var(--pst-color-text-muted,#555);font-size:.8rem;margin-top:.4rem}
.vt-explorer output{font-variant-numeric:tabular-nums}
"""

CORE = r"""
var TAB10=['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];
function bytes(s){var b=atob(s),n=b.length,u=new Uint8Array(n);for(var i=0;i<n;i++)u[i]=b.charCodeAt(i);return u;}
function f32(s){return new Float32Array(bytes(s).buffer);}
function f16(s){var u=bytes(s),n=u.length>>1,o=new Float32Array(n);
 for(var i=0;i<n;i++){var h=u[2*i]|(u[2*i+1]<<8),sg=(h&0x8000)?-1:1,e=(h>>10)&31,f=h&1023;
  o[i]=e===0?sg*f*5.960464477539063e-8:(e===31?(f?NaN:sg*Infinity):sg*(1+f/1024)*Math.pow(2,e-15));}
 return o;}
function layer(l){var w;
 if(l.dtype==='int8'){var q=new Int8Array(bytes(l.w).buffer),sc=f32(l.scale);w=new Float32Array(l.out*l.in);
  for(var i=0;i<l.out;i++){var s=sc[i],o=i*l.in;for(var j=0;j<l.in;j++)w[o+j]=q[o+j]*s;}}
 else if(l.dtype==='float16'){w=f16(l.w);} else {w=f32(l.w);}
 return {nIn:l.in,nOut:l.out,w:w,b:f32(l.b),y:new Float32Array(l.out)};}
// decoder(spec)(z) -> Float32Array(784) of pixels in [0, 1]: the torch decoder's forward pass.
function decoder(spec){var L=spec.layers.map(layer),last=L.length-1,sig=spec.output==='sigmoid';
 return function(z){var x=z;
  for(var k=0;k<=last;k++){var a=L[k],w=a.w,b=a.b,y=a.y,n=a.nIn;
   for(var i=0;i<a.nOut;i++){var s=b[i],o=i*n;for(var j=0;j<n;j++)s+=w[o+j]*x[j];y[i]=(k<last&&s<0)?0:s;}
   x=y;}
  var out=new Float32Array(x.length);
  for(var p=0;p<x.length;p++){var v=x[p];out[p]=sig?1/(1+Math.exp(-v)):(v<0?0:(v>1?1:v));}
  return out;};}
// draw 28x28 images side by side on a canvas (1 black pixel between them)
function drawRow(cv,imgs){var n=imgs.length,W=n*29-1;
 if(cv.width!==W||cv.height!==28){cv.width=W;cv.height=28;}
 var ctx=cv.getContext('2d'),id=ctx.createImageData(W,28),d=id.data;
 for(var p=3;p<d.length;p+=4)d[p]=255;
 for(var k=0;k<n;k++){var im=imgs[k];for(var r=0;r<28;r++)for(var c=0;c<28;c++){
  var v=Math.round(255*im[r*28+c]),q=4*(r*W+k*29+c);d[q]=d[q+1]=d[q+2]=v;}}
 ctx.putImageData(id,0,0);}
function sized(cv,scale){cv.style.width=(cv.width*scale)+'px';cv.style.height='auto';}
function models(data){var m={};Object.keys(data.models).forEach(function(k){m[k]=decoder(data.models[k]);});return m;}
function codesOf(s,d){var a=f32(s),out=[];
 for(var i=0;i<a.length/d;i++)out.push(a.subarray(i*d,(i+1)*d));return out;}
function gallery(g,names){var G={index:g.index,labels:g.labels,images:[],codes:{}},px=bytes(g.images);
 for(var i=0;i<g.index.length;i++){var im=new Float32Array(784);for(var p=0;p<784;p++)im[p]=px[i*784+p]/255;G.images.push(im);}
 names.forEach(function(k){G.codes[k]=codesOf(g.codes[k],data.dims[k]);});return G;}
function fillSelect(sel,G,chosen){G.index.forEach(function(idx,i){var o=document.createElement('option');
 o.value=i;o.textContent='test #'+idx+' (digit '+G.labels[i]+')';sel.appendChild(o);});sel.value=chosen;}
function q(sel){return root.querySelector(sel);}
function themeColor(name,fallback){var v=getComputedStyle(root).getPropertyValue(name).trim();return v||fallback;}
var dec=models(data);
root.vt={decode:function(name,z){return Array.from(dec[name](Float32Array.from(z)));},
 reference:data.reference,kind:data.kind,renders:0};
"""

MAP = r"""
var name=data.model,D=dec[name],codes=codesOf(data.codes,2),labels=bytes(data.labels),ex=data.extent;
var cv=q('.vt-map'),img=q('.vt-img'),out=q('output'),z=data.start.slice(),S=cv.width,L=46,R=S-16,T=26,B=S-40;
var bg=document.createElement('canvas');bg.width=bg.height=S;
function toPx(a,b){return [L+(a-ex[0])/(ex[1]-ex[0])*(R-L),B-(b-ex[2])/(ex[3]-ex[2])*(B-T)];}
function toZ(x,y){return [ex[0]+(x-L)/(R-L)*(ex[1]-ex[0]),ex[2]+(B-y)/(B-T)*(ex[3]-ex[2])];}
function paintBackground(){var c=bg.getContext('2d'),fg=themeColor('color','#222');
 c.clearRect(0,0,S,S);c.fillStyle=themeColor('--pst-color-background','#fff');c.fillRect(0,0,S,S);
 c.globalAlpha=0.75;for(var i=0;i<codes.length;i++){var p=toPx(codes[i][0],codes[i][1]);c.fillStyle=TAB10[labels[i]];
  c.beginPath();c.arc(p[0],p[1],2.6,0,6.2832);c.fill();}
 c.globalAlpha=1;c.strokeStyle=fg;c.fillStyle=fg;c.lineWidth=1;c.strokeRect(L,T,R-L,B-T);
 c.font='13px sans-serif';c.textAlign='center';c.fillText('z[0]',(L+R)/2,S-6);
 c.save();c.translate(11,(T+B)/2);c.rotate(-Math.PI/2);c.fillText('z[1]',0,0);c.restore();
 c.font='11px sans-serif';[0,0.5,1].forEach(function(t){var a=ex[0]+t*(ex[1]-ex[0]),b=ex[2]+t*(ex[3]-ex[2]);
  c.fillText(a.toFixed(1),toPx(a,ex[2])[0],B+14);c.textAlign='right';c.fillText(b.toFixed(1),L-3,toPx(ex[0],b)[1]+4);c.textAlign='center';});
 for(var k=0;k<10;k++){c.fillStyle=TAB10[k];c.fillRect(L+k*28,8,9,9);c.fillStyle=fg;c.textAlign='left';c.fillText(String(k),L+11+k*28,17);}}
function render(){var c=cv.getContext('2d'),p=toPx(z[0],z[1]);c.drawImage(bg,0,0);
 c.lineWidth=3;c.strokeStyle=themeColor('--pst-color-background','#fff');c.beginPath();c.arc(p[0],p[1],7,0,6.2832);c.stroke();
 c.lineWidth=2;c.strokeStyle=themeColor('color','#000');c.beginPath();c.arc(p[0],p[1],7,0,6.2832);
 c.moveTo(p[0]-11,p[1]);c.lineTo(p[0]+11,p[1]);c.moveTo(p[0],p[1]-11);c.lineTo(p[0],p[1]+11);c.stroke();
 drawRow(img,[D(Float32Array.from(z))]);out.textContent='z = ('+z[0].toFixed(2)+', '+z[1].toFixed(2)+')';
 cv.setAttribute('aria-valuetext',out.textContent);root.vt.renders++;}
function point(ev){var r=cv.getBoundingClientRect(),zz=toZ((ev.clientX-r.left)*S/r.width,(ev.clientY-r.top)*S/r.height);
 z=[Math.min(ex[1],Math.max(ex[0],zz[0])),Math.min(ex[3],Math.max(ex[2],zz[1]))];render();}
cv.addEventListener('pointermove',point);cv.addEventListener('pointerdown',function(ev){point(ev);cv.focus();});
cv.addEventListener('keydown',function(ev){var st=(ev.shiftKey?0.1:0.02),dx=0,dy=0;
 if(ev.key==='ArrowLeft')dx=-1;else if(ev.key==='ArrowRight')dx=1;else if(ev.key==='ArrowUp')dy=1;else if(ev.key==='ArrowDown')dy=-1;else return;
 ev.preventDefault();z=[Math.min(ex[1],Math.max(ex[0],z[0]+dx*st*(ex[1]-ex[0]))),Math.min(ex[3],Math.max(ex[2],z[1]+dy*st*(ex[3]-ex[2])))];render();});
sized(img,6);paintBackground();render();
var html=document.documentElement,theme=html.dataset.theme;
new MutationObserver(function(){if(html.dataset.theme!==theme){theme=html.dataset.theme;paintBackground();render();}}).observe(html,{attributes:true,attributeFilter:['data-theme']});
root.vt.setCode=function(a){z=a.slice();render();};
"""

INTERP = r"""
var order=data.order,G=gallery(data.gallery,order),sA=q('.vt-a'),sB=q('.vt-b'),meth=q('.vt-method'),st=q('.vt-steps'),stOut=q('.vt-steps-out');
fillSelect(sA,G,data.start);fillSelect(sB,G,data.end);
function slerp(a,b,t){var na=0,nb=0,ab=0,d=a.length,o=new Float32Array(d);
 for(var i=0;i<d;i++){na+=a[i]*a[i];nb+=b[i]*b[i];ab+=a[i]*b[i];}
 na=Math.sqrt(na);nb=Math.sqrt(nb);var om=(na>1e-12&&nb>1e-12)?Math.acos(Math.max(-1,Math.min(1,ab/(na*nb)))):0;
 if(om<1e-6){for(i=0;i<d;i++)o[i]=(1-t)*a[i]+t*b[i];return o;}
 var s=Math.sin(om),ca=Math.sin((1-t)*om)/s,cb=Math.sin(t*om)/s;for(i=0;i<d;i++)o[i]=ca*a[i]+cb*b[i];return o;}
function lerp(a,b,t){var o=new Float32Array(a.length);for(var i=0;i<a.length;i++)o[i]=(1-t)*a[i]+t*b[i];return o;}
function render(){var i=+sA.value,j=+sB.value,n=+st.value,f=meth.value==='spherical'?slerp:lerp;stOut.textContent=n;
 drawRow(q('.vt-ends'),[G.images[i],G.images[j]]);sized(q('.vt-ends'),3);
 order.forEach(function(k,m){var a=G.codes[k][i],b=G.codes[k][j],imgs=[];
  for(var s=0;s<n;s++)imgs.push(dec[k](f(a,b,s/(n-1))));var cv=root.querySelectorAll('.vt-path')[m];drawRow(cv,imgs);sized(cv,3);});
 root.vt.renders++;}
[sA,sB,meth,st].forEach(function(e){e.addEventListener('input',render);e.addEventListener('change',render);});
render();
"""

TRAVERSE = r"""
var name=data.model,D=dec[name],G=gallery(data.gallery,[name]),sel=q('.vt-digit'),dim=q('.vt-dim'),span=q('.vt-span'),spOut=q('.vt-span-out'),n=data.steps;
fillSelect(sel,G,data.start);
for(var k=0;k<data.dims[name];k++){var o=document.createElement('option');o.value=k;o.textContent='z['+k+']';dim.appendChild(o);}
dim.value=data.dim;
function render(){var z=G.codes[name][+sel.value],d=+dim.value,r=+span.value,imgs=[];spOut.textContent='\u00b1'+r.toFixed(1);
 for(var s=0;s<n;s++){var c=Float32Array.from(z);c[d]=-r+2*r*s/(n-1);imgs.push(D(c));}
 var cv=q('.vt-path');drawRow(cv,imgs);sized(cv,3);
 q('.vt-own').textContent='this digit has z['+d+'] = '+z[d].toFixed(2);drawRow(q('.vt-ends'),[G.images[+sel.value]]);sized(q('.vt-ends'),3);root.vt.renders++;}
[sel,dim,span].forEach(function(e){e.addEventListener('input',render);e.addEventListener('change',render);});
render();
"""

ARITH = r"""
var name=data.model,D=dec[name],d=data.dims[name],G=gallery(data.gallery,[name]),means=codesOf(data.means,d);
var sel=q('.vt-digit'),from=q('.vt-from'),to=q('.vt-to'),amt=q('.vt-amount'),amOut=q('.vt-amount-out'),n=data.steps;
fillSelect(sel,G,data.start);
[from,to].forEach(function(s,m){for(var k=0;k<10;k++){var o=document.createElement('option');o.value=k;o.textContent='digit '+k;s.appendChild(o);}});
from.value=data.source;to.value=data.target;
function render(){var z=G.codes[name][+sel.value],a=means[+from.value],b=means[+to.value],A=+amt.value,imgs=[];amOut.textContent=A.toFixed(2);
 for(var s=0;s<n;s++){var t=A*s/(n-1),c=new Float32Array(d);for(var i=0;i<d;i++)c[i]=z[i]+t*(b[i]-a[i]);imgs.push(D(c));}
 var cv=q('.vt-path');drawRow(cv,imgs);sized(cv,3);drawRow(q('.vt-ends'),[G.images[+sel.value]]);sized(q('.vt-ends'),3);root.vt.renders++;}
[sel,from,to,amt].forEach(function(e){e.addEventListener('input',render);e.addEventListener('change',render);});
render();
"""

VIEWS = {"map": MAP, "interpolation": INTERP, "traversal": TRAVERSE, "arithmetic": ARITH}
