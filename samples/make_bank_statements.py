#!/usr/bin/env python3
# Writes samples/bank.camt053.xml and samples/bank.mt940: the ten transactions of samples/bank.csv as a
# bank sends them (camt.053 version 8, and MT940 with ING-style /TAG/ :86: fields), one statement of
# March 2025 whose opening balance 10,000.00 EUR plus its transactions is its closing balance 11,995.60.
import os
here = os.path.dirname(os.path.abspath(__file__))
rows = [
 ("B1001","2025-03-03","CRDT","1250.00","ACME TRADING","NL91ABNA0417164300","INV-2025-000481","SEPA CREDIT TRANSFER ACME TRADING REF INV-2025-000481","PMNT","RCDT","ESCT"),
 ("B1002","2025-03-04","DBIT","89.90","OFFICE DEPOT","DE89370400440532013000","PO-0552","BILL PAYMENT OFFICE DEPOT PO-0552","PMNT","ICDT","ESCT"),
 ("B1003","2025-03-05","CRDT","997.50","GLOBEX CORP","FR1420041010050500013M02606","INV2025000482","GIRO CREDIT GLOBEX CORP INV2025000482","PMNT","RCDT","ESCT"),
 ("B1004","2025-03-06","CRDT","600.00","NORTHWIND TRADING","GB29NWBK60161331926819","","FASTER PAYMENT RECEIVED NORTHWIND TRADING 3 INVOICES","PMNT","RCDT","ESCT"),
 ("B1005","2025-03-07","DBIT","400.00","STARK INDUSTRIES","US64SVBKUS6S3300958879","PO-7001","STANDING ORDER STARK INDUSTRIES PART 1 PO-7001","PMNT","ICDT","STDO"),
 ("B1006","2025-03-10","DBIT","600.00","STARK INDUSTRIES","US64SVBKUS6S3300958879","PO-7001","STANDING ORDER STARK INDUSTRIES PART 2 PO-7001","PMNT","ICDT","STDO"),
 ("B1007","2025-03-10","CRDT","310.00","INITECH","BE68539007547034","INV-2025-00049","INCOMING PAYMENT INITECH INV-2025-00049","PMNT","RCDT","ESCT"),
 ("B1008","2025-03-11","DBIT","15.00","","","","ACCOUNT MAINTENANCE FEE","ACMT","MDOP","CHRG"),
 ("B1009","2025-03-12","DBIT","99.00","CLOUDCO","IE29AIBK93115212345678","CC-2025-03","SEPA DIRECT DEBIT CLOUDCO SUBSCRIPTION CC-2025-03","PMNT","RDDT","ESDD"),
 ("B1010","2025-03-12","CRDT","42.00","","","","INCOMING PAYMENT UNKNOWN SENDER","PMNT","RCDT","ESCT"),
]
iban="DE44500105175407324931"
opening=1000000
total=sum((1 if r[2]=="CRDT" else -1)*int(r[3].replace(".","")) for r in rows)
closing=opening+total
def amt(m): return f"{m//100}.{m%100:02d}"
x=[]
x.append('<?xml version="1.0" encoding="UTF-8"?>')
x.append('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">')
x.append(' <BkToCstmrStmt>')
x.append('  <GrpHdr><MsgId>OEUVRE-SAMPLE-2025-03</MsgId><CreDtTm>2025-03-13T06:00:00+01:00</CreDtTm></GrpHdr>')
x.append('  <Stmt>')
x.append('   <Id>2025-03-SAMPLE</Id><ElctrncSeqNb>3</ElctrncSeqNb>')
x.append('   <FrToDt><FrDtTm>2025-03-01T00:00:00+01:00</FrDtTm><ToDtTm>2025-03-12T23:59:59+01:00</ToDtTm></FrToDt>')
x.append(f'   <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy><Ownr><Nm>Oeuvre Demo GmbH</Nm></Ownr></Acct>')
for code,m,d in (("OPBD",opening,"2025-03-01"),("CLBD",closing,"2025-03-12")):
    x.append(f'   <Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amt(abs(m))}</Amt><CdtDbtInd>{"CRDT" if m>=0 else "DBIT"}</CdtDbtInd><Dt><Dt>{d}</Dt></Dt></Bal>')
for (id_,d,cd,a,name,acct,ref,text,dom,fam,sub) in rows:
    x.append('   <Ntry>')
    x.append(f'    <Amt Ccy="EUR">{a}</Amt><CdtDbtInd>{cd}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>')
    x.append(f'    <BookgDt><Dt>{d}</Dt></BookgDt><ValDt><Dt>{d}</Dt></ValDt><AcctSvcrRef>{id_}</AcctSvcrRef>')
    x.append(f'    <BkTxCd><Domn><Cd>{dom}</Cd><Fmly><Cd>{fam}</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>')
    x.append('    <NtryDtls><TxDtls>')
    x.append(f'     <Refs><AcctSvcrRef>{id_}</AcctSvcrRef><EndToEndId>{ref or "NOTPROVIDED"}</EndToEndId></Refs>')
    x.append(f'     <Amt Ccy="EUR">{a}</Amt><CdtDbtInd>{cd}</CdtDbtInd>')
    if name:
        role = "Dbtr" if cd=="CRDT" else "Cdtr"
        x.append(f'     <RltdPties><{role}><Pty><Nm>{name}</Nm></Pty></{role}><{role}Acct><Id><IBAN>{acct}</IBAN></Id></{role}Acct></RltdPties>')
    x.append(f'     <RmtInf><Ustrd>{text}</Ustrd></RmtInf>')
    x.append('    </TxDtls></NtryDtls>')
    x.append('   </Ntry>')
x.append('  </Stmt>')
x.append(' </BkToCstmrStmt>')
x.append('</Document>')
open(os.path.join(here,'bank.camt053.xml'),'w').write("\n".join(x)+"\n")
# MT940
def yymmdd(d): return d[2:4]+d[5:7]+d[8:10]
def mt(m): return f"{m//100},{m%100:02d}"
y=[":20:2025-03-SAMPLE",f":25:{iban}",":28C:3/1",f":60F:C250301EUR{mt(opening)}"]
for (id_,d,cd,a,name,acct,ref,text,dom,fam,sub) in rows:
    m=int(a.replace(".",""))
    typ={"CHRG":"NCHG","ESDD":"NDDT","STDO":"NSTO"}.get(sub,"NTRF")
    y.append(f":61:{yymmdd(d)}{d[5:7]}{d[8:10]}{'C' if cd=='CRDT' else 'D'}{mt(m)}{typ}{ref or 'NONREF'}//{id_}")
    parts=[]
    if ref: parts.append(f"/EREF/{ref}")
    if name: parts.append(f"/NAME/{name}")
    if acct: parts.append(f"/IBAN/{acct}")
    parts.append(f"/REMI/{text}/")
    info="".join(parts)
    lines=[]
    cur=""
    for p in parts:  # one tag per line where it fits: banks break :86: lines at 65 characters
        if cur and len(cur)+len(p)>65: lines.append(cur); cur=""
        while len(p)>65: lines.append(p[:65]); p=p[65:]
        cur+=p
    lines.append(cur)
    y.append(":86:"+lines[0]); y.extend(lines[1:])
y.append(f":62F:C250312EUR{mt(closing)}")
y.append("-")
open(os.path.join(here,'bank.mt940'),'w', newline='').write("\r\n".join(y)+"\r\n")
